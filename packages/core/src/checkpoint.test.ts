import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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
