// Training-step cases: napkin math, case selection, the masked-LM batch, the CPU-vs-backend check,
// both tfjs peers on tfjs's CPU backend (tiny sizes), and measureStep on the real adapter.
import { cpuBackend, setBackend, useCpu } from '@pretext/core';
import { Gpu } from '@pretext/gpu';
import { unary } from '@pretext/kernels';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoadedCase, selectCases } from '../discover.js';
import { compareBackends, probeError } from './backend.js';
import type { TrainingCase } from './case.js';
import { simclrStepFlops, transformerStepFlops } from './flops.js';
import { trainingCases } from './index.js';
import { measureStep } from './measure-step.js';
import { IGNORE, MASK, mlmBatch, PAD } from './mlm-batch.js';
import { tfSimclrStep } from './tf-simclr.js';
import { tfTransformerStep } from './tf-transformer.js';
import { languageSpec } from './cases.js';
import { tinyStep } from './task-step.js';
import { fortunesChars, peerBatch, textBatch } from './text-batch.js';

describe('napkin math', () => {
  it('SimCLR, 512 views of 28×28, widths 32/64/128, head 128→256→64: 3.86 GMAC forward', () => {
    // convs 115.6M + 1849.7M + 1849.7M, head 25.2M, Z·Zᵀ 16.8M
    const f = simclrStepFlops(512, 28, 32, 256, 64);
    expect(f.forwardMacs).toBe(115_605_504 + 1_849_688_064 + 1_849_688_064 + 25_165_824 + 16_777_216);
    expect(f.stepFlops).toBe(6 * f.forwardMacs);
  });
  it('Transformer B=32 T=128 d=128 L=4 V=256: 3.89 GMAC forward', () => {
    const f = transformerStepFlops(32, 128, 128, 4, 256);
    expect(f.forwardMacs).toBe(4 * (4096 * 12 * 128 * 128 + 4096 * 2 * 128 * 128) + 4096 * 128 * 256);
  });
});

describe('selectCases', () => {
  const ceiling = { case: { name: 'ceiling fma', kernel: 'ceiling', setup: async () => { throw new Error('unused'); } }, file: 'c' } as LoadedCase;
  const all = [ceiling, ...trainingCases()];
  it('leaves the training steps out of a run without --only, runs them with --only train', () => {
    expect(selectCases(all).map((c) => c.case.name)).toEqual(['ceiling fma']);
    expect(selectCases(all, 'train').map((c) => c.case.name)).toEqual(['ceiling fma', 'train simclr convnet step N=256x2 28x28', 'train colorization convnet+decoder step N=64 64x64', 'train gpt step B=32 T=64 d=128 L=4', 'train mlm step B=32 T=128 d=128 L=4']);
    expect(selectCases(all, 'generate').map((c) => c.case.name)).toEqual(['ceiling fma', ...[64, 256].flatMap((p) => ['kv-cache', 'no-cache'].map((k) => `generate gpt prefix=${p} ${k} d=128 L=4`))]);
    expect(selectCases(all, 'train simclr').map((c) => c.case.name)).toEqual(['ceiling fma', 'train simclr convnet step N=256x2 28x28']);
  });
});

describe('mlmBatch', () => {
  it('pads each sequence after at least T/2 tokens and predicts only masked positions', () => {
    const { ids, keep, targets } = mlmBatch(8, 16, 32, 5);
    for (let s = 0; s < 8; s++) {
      const row = [...keep.subarray(s * 16, s * 16 + 16)];
      const len = row.indexOf(0) < 0 ? 16 : row.indexOf(0);
      expect(len).toBeGreaterThanOrEqual(8);
      expect(row.slice(len).every((k) => k === 0)).toBe(true);
    }
    ids.forEach((id, i) => {
      if (!keep[i]) expect([id, targets[i]]).toEqual([PAD, IGNORE]);
      else if (id === MASK) expect(targets[i]).toBeGreaterThanOrEqual(2);
      else expect(targets[i]).toBe(IGNORE);
    });
    expect(targets.some((t) => t >= 0)).toBe(true);
  });
});

const TINY = { layers: 1, dim: 16, heads: 2, vocab: 16, lr: 1e-3, weightDecay: 0.01 };

describe('the language step cases', () => {
  it('the check: the mlm and gpt tasks\' tiny steps agree across backends; a wrong gradient does not pass', async () => {
    for (const kind of ['mlm', 'gpt'] as const) {
      const probe = () => tinyStep(languageSpec(kind, 4, 16));
      setBackend(cpuBackend());
      expect(await compareBackends(cpuBackend({ float64: true }), probe), kind).toBeLessThan(1e-4);
      const ref = await probe();
      expect(Math.abs(ref.loss - Math.log(fortunesChars(true).tokenizer.vocabSize)), kind).toBeLessThan(0.3);
      const bent = { loss: ref.loss, grads: ref.grads.map((g) => g.map((v) => v * 1.02)) };
      expect(probeError(bent, ref)).toBeGreaterThan(5e-3);
    }
  });
  it('the peers get the same batch: gpt windows with next tokens, mlm entries masked as BERT', async () => {
    useCpu(); // the mlm task's mlmMask on the cpu backend (its reference twin)
    const data = fortunesChars(true);
    const g = await peerBatch(textBatch(data, 4, 16, 'stream'), data.tokenizer.vocabSize, 'gpt');
    expect(Array.from(g.targets.subarray(0, 15))).toEqual(Array.from(g.ids.subarray(1, 16)));
    const m = await peerBatch(textBatch(data, 4, 16, 'entries'), data.tokenizer.vocabSize, 'mlm');
    expect(m.targets.some((x) => x >= 0) && m.ids.some((x) => x === MASK)).toBe(true);
    m.ids.forEach((id, i) => {
      if (!m.keep[i]) expect([id, m.targets[i]]).toEqual([PAD, IGNORE]);
    });
  });
});

describe('tfjs peers (tfjs CPU backend, tiny)', () => {
  let tf: typeof import('@tensorflow/tfjs-core');
  beforeAll(async () => {
    tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs'); // gradients and the cpu backend
    await tf.setBackend('cpu');
  });
  it('language-model Transformer (masked and causal): starts near ln(vocab), AdamW lowers the loss', async () => {
    for (const causal of [false, true]) {
      const s = tfTransformerStep(tf, { ...TINY, causal }, mlmBatch(2, 8, 16, 3, 0.5));
      const first = await s.loss();
      expect(Math.abs(first - Math.log(16))).toBeLessThan(0.2);
      for (let i = 0; i < 8; i++) tf.tidy(() => s.step());
      expect(await s.loss()).toBeLessThan(first - 0.05);
      s.dispose();
    }
  });
  it('SimCLR: NT-Xent of the untrained ConvNet is finite and near ln(2N − 1); a step changes it', async () => {
    const s = tfSimclrStep(tf, { width: 4, grid: 2, projHidden: 16, projDim: 8, tau: 0.5, jitter: 0.5, lr: 2e-3, weightDecay: 1e-4 }, 4);
    const first = await s.loss();
    expect(Math.abs(first - Math.log(7))).toBeLessThan(1.5);
    const before = tf.memory().numTensors;
    tf.tidy(() => s.step());
    expect(tf.memory().numTensors).toBe(before + 2 * 14); // Adam's two moments for the 14 variables, nothing else
    const after = await s.loss();
    expect(Number.isFinite(after) && after !== first).toBe(true);
    s.dispose();
  });
});

describe('measureStep on the adapter', () => {
  let gpu: Gpu;
  beforeAll(async () => {
    gpu = await Gpu.create({ profile: true });
  });
  afterAll(async () => {
    await gpu?.destroy();
  });
  const reluStep = (runs: { n: number }, error: number): TrainingCase => ({
    name: 'train relu',
    kernel: 'train',
    limits: { reps: 2, warmup: 1 },
    async setup(g) {
      const x = g.upload(new Float32Array(4096).fill(-1));
      const y = g.empty([4096]);
      return {
        items: 16, unit: 'images', batch: '16 images',
        run: () => {
          runs.n++;
          unary(g, 'relu', x, { out: y });
          unary(g, 'relu', y, { out: x });
        },
        check: async () => error,
        tolerance: 1e-3, flops: 8192, bytes: 0,
        dispose: () => [x, y].forEach((a) => g.free(a)),
      };
    },
  });
  it('caps reps and warm-up at the case limits; counts submits and dispatches per step', async () => {
    const runs = { n: 0 };
    const r = await measureStep(reluStep(runs, 0), gpu, { reps: 10, warmup: 5, quick: true, tf: null });
    expect(r.status, r.message).toBe('ok');
    expect(runs.n).toBe(1 + 1 + 2);
    expect(r.reps).toBe(2);
    const t = r.training;
    expect(t?.dispatchesPerStep).toBe(2);
    expect(t?.submitsPerStep).toBe(1);
    expect(t?.itemsPerSec).toBeCloseTo((16 * 1000) / (r.wallMs as number), 6);
    if (gpu.profiler.enabled) expect(t?.topKernels.map((k) => k.calls)).toEqual([2]);
  });
  it('does not time a step whose check fails', async () => {
    const runs = { n: 0 };
    const r = await measureStep(reluStep(runs, 1), gpu, { reps: 10, warmup: 5, quick: true, tf: null });
    expect(r.status).toBe('fail');
    expect(runs.n).toBe(1);
    expect(r.training).toBeUndefined();
  });
});
