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
import { encodeOnnxModel, Init, Linear, LM_NAMES, Module, OnnxDataType } from '@pretext/models';
import { type AnyTask, defineTask, gpt, mlm, mlmSimcse, type Objective, type TextEncoder, textEncoderOptions, trainingOptions, trainObjectives, type TrainState } from '@pretext/tasks';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCli } from './args.js';
import { saveRun } from './checkpoints.js';
import { type ExportArgs, exportCommand } from './export.js';
import { checkLanguageWithOnnxRuntime } from './export-language.js';
import { encodeNpy } from './npy.js';
import { writeTokenizer } from './text-runner.js';

const root = mkdtempSync(join(tmpdir(), 'pretext-export-lm-'));
const tokenizer = CharTokenizer.train(['the quick brown fox jumps over the lazy dog', 'Pack my box with five dozen liquor jugs!']);
const TINY = { context: 12, layers: 2, heads: 2, dim: 16, dropout: 0.1 };
const hasTorch = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
/** Each saved run's state, by directory. */
const states = new Map<string, TrainState<'text'>>();

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
  states.set(dir, state);
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

/** The saved state's pooled features, as evaluation pools them. */
async function pooledOf(state: TrainState<'text'>, ids: Int32Array, shape: [number, number], keep: Int32Array): Promise<Float32Array> {
  return read(noGrad(() => state.encoder.pooled({ ids: tensor(ids, shape), keep: tensor(keep, shape), weights: tensor(Float32Array.from(keep), shape) })));
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])));
const idsOf = (n: number, t: number, seed: number) => Int32Array.from(randu(n * t, seed, 0, tokenizer.vocabSize), Math.floor);
const int64 = (a: Int32Array, shape: number[]) => new ort.Tensor('int64', BigInt64Array.from(a, BigInt), shape);

beforeAll(async () => {
  await useWebGpu();
});
afterAll(() => {
  for (const s of states.values()) s.dispose();
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

  // rows of a (3, 9) batch keep 9, 7 and 5 tokens
  const [n, t] = [3, 9];
  const ragged = Int32Array.from({ length: n * t }, (_, i) => (i % t < t - 2 * Math.floor(i / t) ? 1 : 0));

  for (const task of [mlm, mlmSimcse]) {
    it(`${task.id} (bidirectional): input_ids and attention_mask → logits and the pooled features, as the encoder pools`, async () => {
      const dir = join(root, task.id);
      const state = await saveLanguageRun(task, dir);
      const lines: string[] = [];
      await exportCommand(exportArgs(dir, 'onnx', ['--check', '--opset', '18']), { [task.id]: task }, (l) => lines.push(l));
      expect(lines[0]).toMatch(/matches our forward/);
      expect(lines[1]).toMatch(/input input_ids, attention_mask \(N, T ≤ 12\) → logits \(N, T, \d+\), features \(N, 16\)/);
      const session = await ort.InferenceSession.create(readFileSync(join(dir, 'export', 'lm.onnx')));
      const ids = idsOf(n, t, 4);
      const out = await session.run({ [LM_NAMES.ids]: int64(ids, [n, t]), [LM_NAMES.mask]: int64(ragged, [n, t]) });
      expect(maxDiff(out[LM_NAMES.logits].data as Float32Array, await logitsOf(state, ids, [n, t], ragged))).toBeLessThan(1e-4);
      expect(maxDiff(out[LM_NAMES.features].data as Float32Array, await pooledOf(state, ids, [n, t], ragged))).toBeLessThan(1e-4);
      await session.release();
    });
  }

  it.skipIf(!hasTorch)('load_pretext.py rebuilds the GPT in PyTorch within 1e-4 of our logits (python3-torch)', async () => {
    const dir = join(root, 'gpt-untied');
    const state = states.get(dir) as TrainState<'text'>;
    const ids = idsOf(2, 7, 11);
    writeFileSync(join(dir, 'export', 'ids.npy'), encodeNpy(Float32Array.from(ids), [2, 7]));
    writeFileSync(join(dir, 'export', 'logits.npy'), encodeNpy(await logitsOf(state, ids, [2, 7]), [2, 7, tokenizer.vocabSize]));
    const py = spawnSync('/usr/bin/python3', ['load_pretext.py', 'lm.safetensors', '--check', 'ids.npy', 'logits.npy'], { cwd: join(dir, 'export'), encoding: 'utf8' });
    expect(py.stderr).toBe('');
    expect(py.stdout).toMatch(/Transformer, \d+ parameters, .*\nmax abs difference from Pretext's forward: .* over \(2, 7\) inputs/);
    expect(py.status).toBe(0);
  });

  it.skipIf(!hasTorch)('load_pretext.py: the bidirectional model with a padding mask, logits and features within 1e-4 (python3-torch)', async () => {
    const dir = join(root, 'mlm-simcse');
    await exportCommand(exportArgs(dir, 'safetensors'), { 'mlm-simcse': mlmSimcse }, () => {});
    const state = states.get(dir) as TrainState<'text'>;
    const ids = idsOf(n, t, 12);
    const files: [string, Float32Array, number[]][] = [
      ['ids', Float32Array.from(ids), [n, t]],
      ['mask', Float32Array.from(ragged), [n, t]],
      ['logits', await logitsOf(state, ids, [n, t], ragged), [n, t, tokenizer.vocabSize]],
      ['features', await pooledOf(state, ids, [n, t], ragged), [n, 16]],
    ];
    for (const [name, data, shape] of files) writeFileSync(join(dir, 'export', `${name}.npy`), encodeNpy(data, shape));
    const script = [
      'import torch; from load_pretext import load_pretext, read_npy',
      'm = load_pretext("lm.safetensors"); ids, mask = read_npy("ids.npy").long(), read_npy("mask.npy").long()',
      'with torch.no_grad(): print(max((m(ids, mask) - read_npy("logits.npy")).abs().max().item(), (m.features(ids, mask) - read_npy("features.npy")).abs().max().item()))',
    ].join('\n');
    const py = spawnSync('/usr/bin/python3', ['-c', script], { cwd: join(dir, 'export'), encoding: 'utf8' });
    expect(py.stderr).toBe('');
    expect(Number(py.stdout)).toBeLessThan(1e-4);
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
    await saveLanguageRun(bag, dir);
    for (const format of ['onnx', 'safetensors'] as const) {
      await expect(exportCommand(exportArgs(dir, format), { bag }, () => {})).rejects.toThrow(/export: the bag encoder's network is a Linear; the exporters know Transformer/);
    }
    expect(existsSync(join(dir, 'export'))).toBe(false);
  });

  it('an opset or op the runtime lacks: the error names the file and the opset or op; a model computing something else is refused', async () => {
    const lm = { net: (states.get(join(root, 'gpt')) as TrainState<'text'>).encoder.net };
    const model = (opset: number, op: string) =>
      encodeOnnxModel({
        irVersion: 8, opset, producer: 'test', producerVersion: '0', graphName: 'g',
        nodes: [{ op, inputs: ['input_ids'], outputs: ['logits'], name: 'n' }],
        initializers: [],
        inputs: [{ name: 'input_ids', dataType: OnnxDataType.INT64, shape: ['N', 'T'] }],
        outputs: [{ name: 'logits', dataType: OnnxDataType.INT64 }],
      });
    await expect(checkLanguageWithOnnxRuntime(model(99, 'Identity'), lm, 'future.onnx')).rejects.toThrow(/onnxruntime-node 1\.\d+\.\d+ cannot load future\.onnx: .*opset 99/i);
    await expect(checkLanguageWithOnnxRuntime(model(17, 'Frobnicate'), lm, 'odd.onnx')).rejects.toThrow(/cannot load odd\.onnx: .*Frobnicate/);
    await expect(checkLanguageWithOnnxRuntime(model(17, 'Identity'), lm, 'ids.onnx')).rejects.toThrow(/ids\.onnx: onnxruntime-node gave 2 values of logits, our forward \d+/);
  });
});
