// `pretext export` of language runs (gpt tied and untied, mlm-simcse): ONNX checked in
// onnxruntime-node, the written file run again in ORT against the saved model's own forward,
// safetensors with PyTorch names and load_pretext.py (run when python3-torch is installed); and a
// text encoder the exporters do not know, which leaves no file.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSafetensors, noGrad, type Tensor, tensor, useWebGpu } from '@pretext/core';
import { CharTokenizer } from '@pretext/data';
import { destroyGpu } from '@pretext/gpu';
import { randn, randu } from '@pretext/gpu/testing';
import { Init, Linear, LM_NAMES, Module } from '@pretext/models';
import { type AnyTask, defineTask, gpt, mlmSimcse, type Objective, type TextEncoder, textEncoderOptions, trainingOptions, trainObjectives, type TrainState } from '@pretext/tasks';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCli } from './args.js';
import { saveRun } from './checkpoints.js';
import { type ExportArgs, exportCommand } from './export.js';
import { encodeNpy } from './npy.js';
import { writeTokenizer } from './text-runner.js';

const root = mkdtempSync(join(tmpdir(), 'pretext-export-lm-'));
const tokenizer = CharTokenizer.train(['the quick brown fox jumps over the lazy dog', 'Pack my box with five dozen liquor jugs!']);
const TINY = { context: 12, layers: 2, heads: 2, dim: 16, dropout: 0.1 };
const hasTorch = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
const states: TrainState<'text'>[] = [];

/** A run directory holding `task`'s model with weights that all matter (embeddings of std 0.5, layer norms away from (1, 0)). */
async function saveLanguageRun(task: AnyTask & { modality: 'text' }, dir: string, overrides: Record<string, unknown> = {}): Promise<TrainState<'text'>> {
  const cfg = task.config('fortunes', 'quick', { ...TINY, ...overrides });
  const state = task.build(cfg, { name: 'test', tokenizer, entries: [], labels: new Int32Array(0), categories: [] });
  for (const [p, module] of Object.entries(state.modules)) {
    [...module.stateDict()].forEach(([name, t], i) => {
      const v = /ln.*\.weight$/.test(name) ? randu(t.size, i, 0.5, 1.5) : /ln.*\.bias$/.test(name) ? randn(t.size, i, 0.2) : /(tok|pos)\.weight$/.test(name) || p === 'head' ? randn(t.size, i + 50, 0.5) : null;
      if (v) t.backend.write(t.storage, v);
    });
    module.eval();
  }
  await saveRun(dir, state, { step: 1, epoch: 1, batch: 0, task: task.id, config: cfg, adapter: 'test', commit: 'test', trainSeconds: 0, complete: true });
  writeTokenizer(dir, tokenizer);
  states.push(state);
  return state;
}

const exportArgs = (dir: string, format: 'onnx' | 'safetensors', extra: string[] = []) => parseCli(['export', dir, '--format', format, ...extra], {}) as ExportArgs;

async function read(y: Tensor): Promise<Float32Array> {
  const d = (await y.data()) as Float32Array;
  y.dispose();
  return d;
}

/** The saved state's own logits on ids (N, T), through the task's encoder and head. */
async function logitsOf(state: TrainState<'text'>, ids: Int32Array, shape: [number, number], keep?: Int32Array): Promise<Float32Array> {
  const enc = state.encoder;
  const head = state.modules.head as Linear | undefined;
  return read(noGrad(() => {
    const h = enc.net.forward(tensor(ids, shape), keep && tensor(keep, shape));
    return head ? head.forward(h) : enc.net.logits(h);
  }));
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])));
const idsOf = (n: number, t: number, seed: number) => Int32Array.from(randu(n * t, seed, 0, tokenizer.vocabSize), Math.floor);
const int64 = (a: Int32Array, shape: number[]) => new ort.Tensor('int64', BigInt64Array.from(a, BigInt), shape);

beforeAll(async () => {
  await useWebGpu();
});
afterAll(() => {
  for (const s of states) s.dispose();
  destroyGpu();
});

describe('export of language models', () => {
  it('gpt (tied head): --check passes, the file beside its tokenizer; ORT on the file matches the saved model within 1e-4', async () => {
    const dir = join(root, 'gpt');
    const state = await saveLanguageRun(gpt, dir);
    const lines: string[] = [];
    await exportCommand(exportArgs(dir, 'onnx', ['--check']), { gpt }, (l) => lines.push(l));
    expect(lines[0]).toMatch(/onnxruntime-node 1\.\d+\.\d+ \(cpu\) matches our forward: max \|Δ\| .* over random ids \(2 × T, T = 1, 7, 12\)/);
    expect(lines[1]).toMatch(/lm\.onnx \(opset 17, input input_ids \(N, T ≤ 12\) → logits \(N, T, \d+\)/);
    expect(readFileSync(join(dir, 'export', 'tokenizer.json'), 'utf8')).toBe(readFileSync(join(dir, 'tokenizer.json'), 'utf8'));
    const session = await ort.InferenceSession.create(readFileSync(join(dir, 'export', 'lm.onnx')));
    for (const t of [1, 5, 12]) {
      const ids = idsOf(3, t, t);
      const got = (await session.run({ [LM_NAMES.ids]: int64(ids, [3, t]) }))[LM_NAMES.logits];
      expect(got.dims).toEqual([3, t, tokenizer.vocabSize]);
      const want = await logitsOf(state, ids, [3, t]);
      expect(maxDiff(got.data as Float32Array, want), `T = ${t}`).toBeLessThan(1e-4);
      expect(Math.max(...want.map(Math.abs))).toBeGreaterThan(0.5);
    }
    await session.release();
  });

  it('gpt with its own head (--no-tie-weights) at opset 20, and its safetensors with PyTorch names', async () => {
    const dir = join(root, 'gpt-untied');
    await saveLanguageRun(gpt, dir, { tieWeights: false });
    const lines: string[] = [];
    await exportCommand(exportArgs(dir, 'onnx', ['--check', '--opset', '20']), { gpt }, (l) => lines.push(l));
    expect(lines[0]).toMatch(/matches our forward/);
    await exportCommand(exportArgs(dir, 'safetensors'), { gpt }, () => {});
    const { arrays, metadata } = decodeSafetensors(readFileSync(join(dir, 'export', 'lm.safetensors')));
    expect([...arrays.keys()]).toEqual(expect.arrayContaining(['tok.weight', 'pos.weight', 'blocks.1.attn.qkv.weight', 'blocks.0.ln2.bias', 'blocks.0.out.weight', 'lnf.weight', 'head.weight']));
    expect(arrays.get('head.weight')?.shape).toEqual([tokenizer.vocabSize, 16]);
    expect(JSON.parse(metadata['pretext.architecture'])).toEqual({ architecture: 'Transformer', vocab: tokenizer.vocabSize, max_len: 12, dim: 16, heads: 2, layers: 2, positions: 'learned', causal: true, tied: false, head_bias: false, eps: 1e-5, gelu: 'tanh' });
    expect(existsSync(join(dir, 'export', 'load_pretext.py'))).toBe(true);
    expect(existsSync(join(dir, 'export', 'tokenizer.json'))).toBe(true);
  });

  it('mlm-simcse (bidirectional): input_ids and attention_mask → logits and the pooled features, as the encoder pools', async () => {
    const dir = join(root, 'simcse');
    const state = await saveLanguageRun(mlmSimcse, dir);
    const lines: string[] = [];
    await exportCommand(exportArgs(dir, 'onnx', ['--check', '--opset', '18']), { 'mlm-simcse': mlmSimcse }, (l) => lines.push(l));
    expect(lines[0]).toMatch(/matches our forward/);
    expect(lines[1]).toMatch(/input input_ids, attention_mask \(N, T ≤ 12\) → logits \(N, T, \d+\), features \(N, 16\)/);
    const session = await ort.InferenceSession.create(readFileSync(join(dir, 'export', 'lm.onnx')));
    const [n, t] = [3, 9];
    const ids = idsOf(n, t, 4);
    const keep = Int32Array.from({ length: n * t }, (_, i) => (i % t < t - 2 * Math.floor(i / t) ? 1 : 0)); // rows keep 9, 7, 5 tokens
    const out = await session.run({ [LM_NAMES.ids]: int64(ids, [n, t]), [LM_NAMES.mask]: int64(keep, [n, t]) });
    expect(maxDiff(out[LM_NAMES.logits].data as Float32Array, await logitsOf(state, ids, [n, t], keep))).toBeLessThan(1e-4);
    const x = { ids: tensor(ids, [n, t]), keep: tensor(keep, [n, t]), weights: tensor(Float32Array.from(keep), [n, t]) };
    const pooled = await read(noGrad(() => state.encoder.pooled(x)));
    expect(maxDiff(out[LM_NAMES.features].data as Float32Array, pooled)).toBeLessThan(1e-4);
    await session.release();
  });

  it.skipIf(!hasTorch)('load_pretext.py rebuilds the GPT in PyTorch within 1e-4 of our logits (python3-torch)', async () => {
    const dir = join(root, 'gpt-untied');
    const state = states[1];
    const ids = idsOf(2, 7, 11);
    writeFileSync(join(dir, 'export', 'ids.npy'), encodeNpy(Float32Array.from(ids), [2, 7]));
    writeFileSync(join(dir, 'export', 'logits.npy'), encodeNpy(await logitsOf(state, ids, [2, 7]), [2, 7, tokenizer.vocabSize]));
    const py = spawnSync('/usr/bin/python3', ['load_pretext.py', 'lm.safetensors', '--check', 'ids.npy', 'logits.npy'], { cwd: join(dir, 'export'), encoding: 'utf8' });
    expect(py.stderr).toBe('');
    expect(py.stdout).toMatch(/Transformer, \d+ parameters, .*\nmax abs difference from Pretext's forward: .* over \(2, 7\) inputs/);
    expect(py.status).toBe(0);
  });
});

/** A text encoder the exporters do not know: a bag of embeddings, no Transformer. */
class BagEncoder extends Module {
  net: Linear;
  readonly featureDim = 4;
  readonly causal = false;
  constructor(init: Init) {
    super();
    this.net = new Linear(init, 4, 4);
  }
}

/** An objective the test never steps. */
const untrainable: Objective<'text'> = {
  name: 'bag',
  heads: {},
  loss: () => {
    throw new Error('bag: not trained in this test');
  },
};

describe('bad input', () => {
  it('a text encoder that is no Transformer: named, and nothing written', async () => {
    const bag = defineTask({
      id: 'bag', summary: 'test: no Transformer', modality: 'text', options: { ...trainingOptions, ...textEncoderOptions },
      presets: { fortunes: { quick: {}, full: {} } },
      encoder: (_cfg, _data, init) => new BagEncoder(init) as unknown as TextEncoder,
      build: (cfg) => trainObjectives(cfg, new BagEncoder(new Init(0)) as unknown as TextEncoder, [{ objective: untrainable, weight: 1 }]),
    });
    const dir = join(root, 'bag');
    states.push(await saveLanguageRun(bag, dir));
    for (const format of ['onnx', 'safetensors'] as const) {
      await expect(exportCommand(exportArgs(dir, format), { bag }, () => {})).rejects.toThrow(/export: the bag encoder's network is a Linear; the exporters know Transformer/);
    }
    expect(existsSync(join(dir, 'export'))).toBe(false);
  });
});
