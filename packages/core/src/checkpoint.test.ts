import { lstatSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randn, testGpu } from '@pretext/gpu/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint, restoreInto, saveCheckpoint } from './checkpoint.js';
import { adamw, type Tensor, tensor, useWebGpu } from './index.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';

beforeAll(async () => {
  await testGpu();
  await useWebGpu();
});

const dir = () => mkdtempSync(join(tmpdir(), 'pretext-ckpt-'));

/** A tiny model, its optimizer, and a deterministic step. */
function model() {
  const w = tensor(randn(12, 3), [4, 3], { requiresGrad: true });
  const opt = adamw([['w', w]], { lr: 0.1 });
  const x = tensor(randn(15, 4), [5, 3]);
  const step = async () => {
    const loss = x.matmul(w, { transB: true }).tanh().square().mean();
    loss.backward();
    opt.update();
    return loss.item();
  };
  const state = (): Map<string, Tensor> => new Map([['w', w], ...[...opt.stateTensors()].map(([k, s]) => [k, new (w.constructor as typeof Tensor)(s, w.backend)] as [string, Tensor])]);
  return { w, opt, step, state };
}

describe('checkpoints', () => {
  it('safetensors round-trips and names a truncated tensor', () => {
    const bytes = encodeSafetensors(new Map([['a.weight', { dtype: 'f32', shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) }], ['ids', { dtype: 'i32', shape: [2], data: Int32Array.from([7, 8]) }]]), { step: '3' });
    const { arrays, metadata } = decodeSafetensors(bytes);
    expect([...(arrays.get('a.weight')?.data ?? [])]).toEqual([1, 2, 3, 4, 5, 6]);
    expect([...(arrays.get('ids')?.data ?? [])]).toEqual([7, 8]);
    expect(metadata.step).toBe('3');
    expect(() => decodeSafetensors(bytes.subarray(0, bytes.length - 4), 'm.safetensors')).toThrow(/m\.safetensors: tensor 'ids'.*truncated or corrupt/);
    expect(() => decodeSafetensors(bytes.subarray(0, 5), 'm.safetensors')).toThrow(/truncated/);
  });

  it('resuming from a checkpoint continues the same loss curve', async () => {
    const straight = model();
    const curve: number[] = [];
    for (let i = 0; i < 6; i++) curve.push(await straight.step());

    const a = model();
    const d = dir();
    const resumed: number[] = [];
    for (let i = 0; i < 3; i++) resumed.push(await a.step());
    await saveCheckpoint(d, a.state(), { step: 3, task: 'toy' });
    const b = model(); // fresh process state, same init
    const ck = await loadCheckpoint(d);
    expect(ck.meta).toMatchObject({ step: 3, task: 'toy' });
    restoreInto(ck, b.state());
    b.opt.step = ck.meta.step;
    for (let i = 0; i < 3; i++) resumed.push(await b.step());
    expect(resumed.map((v) => v.toFixed(6))).toEqual(curve.map((v) => v.toFixed(6)));
  });

  it('a crash mid-save leaves the previous checkpoint loadable; old ones are pruned', async () => {
    const m = model();
    const d = dir();
    for (const step of [1, 2, 3]) await saveCheckpoint(d, m.state(), { step });
    expect(readdirSync(d).filter((f) => f.endsWith('.safetensors'))).toHaveLength(2);
    // a save that died after writing half a tensor file, before updating latest.json
    writeFileSync(join(d, 'ckpt-00000004.safetensors.tmp-999'), 'partial');
    writeFileSync(join(d, 'ckpt-00000004.safetensors'), readFileSync(join(d, 'ckpt-00000003.safetensors')).subarray(0, 40));
    expect((await loadCheckpoint(d)).meta.step).toBe(3);
  });

  it('says what is wrong: no checkpoint, a mismatched tensor, a corrupt file', async () => {
    await expect(loadCheckpoint(dir())).rejects.toThrow(/no checkpoint in .*latest\.json not found/);
    const m = model();
    const d = dir();
    await saveCheckpoint(d, m.state(), { step: 1 });
    const ck = await loadCheckpoint(d);
    const wrong = new Map([['w', tensor(new Float32Array(6), [2, 3])]]);
    expect(() => restoreInto(ck, wrong)).toThrow(/tensor 'w' is f32 \[4,3\] but the model has f32 \[2,3\]/);
    expect(() => restoreInto(ck, new Map([['v', tensor([1])]]))).toThrow(/tensor 'v' is missing/);
    const file = join(d, 'ckpt-00000001.safetensors');
    writeFileSync(file, readFileSync(file).subarray(0, 100));
    await expect(loadCheckpoint(d)).rejects.toThrow(/ckpt-00000001\.safetensors/);
  });
});

describe('checkpoints refuse what is not what was saved', () => {
  const saved = async () => {
    const m = model();
    await m.step();
    const d = dir();
    await saveCheckpoint(d, m.state(), { step: 1 });
    return { d, file: join(d, 'ckpt-00000001.safetensors'), meta: join(d, 'ckpt-00000001.json') };
  };

  it('a flipped byte anywhere in the tensor file fails the SHA-256 recorded in the sidecar', async () => {
    const { d, file, meta } = await saved();
    expect(JSON.parse(readFileSync(meta, 'utf8')).tensors).toMatchObject({ file: 'ckpt-00000001.safetensors', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const bytes = readFileSync(file);
    const at = bytes.length - 3; // inside the last tensor's data: the file still decodes
    bytes[at] ^= 0x10;
    writeFileSync(file, bytes);
    await expect(loadCheckpoint(d)).rejects.toThrow(/ckpt-00000001\.safetensors fails its SHA-256 check/);
    writeFileSync(file, bytes.subarray(0, bytes.length - 1));
    await expect(loadCheckpoint(d)).rejects.toThrow(/has \d+ bytes but .*ckpt-00000001\.json records \d+/);
  });

  it('NaN or Inf in any tensor is refused on load, naming the tensor and the file', async () => {
    const d = dir();
    const w = tensor([1, 2, Number.NaN, 4], [2, 2]);
    await saveCheckpoint(d, new Map([['w', w]]), { step: 5 });
    await expect(loadCheckpoint(d)).rejects.toThrow(/ckpt-00000005\.safetensors: tensor 'w' holds NaN at element 2/);
    await saveCheckpoint(d, new Map([['v', tensor([Number.NEGATIVE_INFINITY], [1])]]), { step: 6 });
    await expect(loadCheckpoint(d)).rejects.toThrow(/tensor 'v' holds -Infinity/);
  });

  it('every JSON sidecar error names its file; latest.json cannot point outside the directory', async () => {
    const { d, meta } = await saved();
    const latest = join(d, 'latest.json');
    for (const [text, msg] of [
      ['{ nope', /checkpoint pointer .*latest\.json is not valid JSON/],
      ['[1]', /checkpoint pointer .*latest\.json must hold a JSON object/],
      ['{"checkpoint": "../../etc/ckpt-00000001", "step": 1}', /latest\.json names "\.\.\/\.\.\/etc\/ckpt-00000001", not a checkpoint of this directory/],
      ['{"checkpoint": "/tmp/ckpt-00000001"}', /not a checkpoint of this directory/],
      ['{"checkpoint": "ckpt-00000009"}', /checkpoint metadata .*ckpt-00000009\.json not found/],
    ] as const) {
      writeFileSync(latest, text);
      await expect(loadCheckpoint(d), text).rejects.toThrow(msg);
    }
    writeFileSync(latest, '{"checkpoint": "ckpt-00000001", "step": 1}');
    writeFileSync(meta, '{"step": 1,');
    await expect(loadCheckpoint(d)).rejects.toThrow(/checkpoint metadata .*ckpt-00000001\.json is not valid JSON/);
    writeFileSync(meta, '{"step": "1"}');
    await expect(loadCheckpoint(d)).rejects.toThrow(/ckpt-00000001\.json: step must be an integer ≥ 0, got "1"/);
  });

  it('safetensors: overlapping byte ranges and malformed headers are refused', () => {
    const header = (h: object) => {
      const json = new TextEncoder().encode(JSON.stringify(h));
      const out = new Uint8Array(8 + json.length + 16);
      new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
      out.set(json, 8);
      return out;
    };
    const f32 = (b: number, e: number, shape = [(e - b) / 4]) => ({ dtype: 'F32', shape, data_offsets: [b, e] });
    expect(() => decodeSafetensors(header({ a: f32(0, 8), b: f32(4, 12) }), 'x.safetensors')).toThrow(/x\.safetensors: tensors 'a' \[0, 8\) and 'b' \[4, 12\) overlap/);
    expect(() => decodeSafetensors(header({ a: f32(0, 8), b: f32(0, 8) }), 'x.safetensors')).toThrow(/overlap/);
    expect(decodeSafetensors(header({ a: f32(0, 8), b: f32(8, 16) }), 'x.safetensors').arrays.size).toBe(2);
    expect(() => decodeSafetensors(header({ a: { dtype: 'F32', shape: 'x', data_offsets: [0, 4] } }), 'x.safetensors')).toThrow(/tensor 'a' has a bad shape/);
    expect(() => decodeSafetensors(header({ a: { dtype: 'F32', shape: [1], data_offsets: [0] } }), 'x.safetensors')).toThrow(/tensor 'a' has bad data_offsets/);
    expect(() => decodeSafetensors(header(null as unknown as object), 'x.safetensors')).toThrow(/x\.safetensors: corrupt header/);
  });

  it('a save cleans up temp files of killed writes and never writes through a planted symlink', async () => {
    const { d } = await saved();
    writeFileSync(join(d, 'ckpt-00000002.safetensors.tmp-999999999'), 'partial'); // no such pid
    const outside = dir();
    symlinkSync(join(outside, 'victim'), join(d, `ckpt-00000002.json.tmp-${process.pid}`));
    symlinkSync(join(outside, 'victim2'), join(d, 'ckpt-00000002.json'));
    const m = model();
    await saveCheckpoint(d, m.state(), { step: 2 });
    expect(readdirSync(d).filter((f) => f.includes('.tmp-'))).toEqual([]);
    expect(readdirSync(outside)).toEqual([]); // nothing was written through either link
    expect(lstatSync(join(d, 'ckpt-00000002.json')).isSymbolicLink()).toBe(false);
    expect((await loadCheckpoint(d)).meta.step).toBe(2);
  });
});
