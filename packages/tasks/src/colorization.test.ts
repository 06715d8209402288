import { noGrad, tensor, useWebGpu } from '@pretext/core';
import { ImageLoader, loadEmoji, loadFashionMnist } from '@pretext/data';
import { rgbToLabPixel } from '@pretext/kernels';
import { Init } from '@pretext/models';
import { beforeAll, describe, expect, it } from 'vitest';
import { abHistogram, pooledAb, rebalanceWeights, smoothedPrior } from './ab-bins.js';
import { colorization, colorizationObjective } from './colorization.js';
import { annealedMean, colourfulness } from './colour-metrics.js';
import { convEncoder } from './encoders.js';
import { trainObjectives } from './objective.js';

let gpuStats: () => { buffersCreated: number; pipelinesCreated: number };
beforeAll(async () => {
  const b = await useWebGpu();
  gpuStats = () => b.gpu.stats();
});

const emoji = loadEmoji({ limit: 48 }).google;
const SMALL = { batchSize: 16, width: 4, decoderWidth: 8, warmupSteps: 0, lr: 1e-2 };

describe('ab bins (Zhang et al. 2016 §2.2), hand-computed', () => {
  it('quantises ab to the grid and counts the bins that occur, in grid order', () => {
    // (0, 0) and (4, −4) → bin (0, 0); (6, 14) → (10, 10); (−5.1, 0) → (−10, 0)
    const { centres, counts } = abHistogram([0, 0, 4, -4, 6, 14, -5.1, 0], 10);
    expect([...centres]).toEqual([-10, 0, 0, 0, 10, 10]);
    expect([...counts]).toEqual([1, 2, 1]);
  });

  it('smooths the empirical distribution with a Gaussian over ab (σ = 5 reaches a neighbour bin by e⁻²)', () => {
    const p = smoothedPrior([0, 0, 10, 0], [3, 1], 5);
    const e = Math.exp(-2);
    const raw = [3 + e, 1 + 3 * e];
    expect(p[0]).toBeCloseTo(raw[0] / (raw[0] + raw[1]), 12);
    expect(p[1]).toBeCloseTo(raw[1] / (raw[0] + raw[1]), 12);
    expect([...smoothedPrior([0, 0, 10, 0], [3, 1], 0)]).toEqual([0.75, 0.25]);
  });

  it('rebalancing weights ∝ 1/((1 − λ)p̃ + λ/Q) with expectation 1 under p̃', () => {
    // λ = ½, p̃ = (¾, ¼), Q = 2: raw 1/(3/8 + 1/4) = 8/5 and 1/(1/8 + 1/4) = 8/3; E = ¾·8/5 + ¼·8/3 = 28/15
    const w = rebalanceWeights([0.75, 0.25], 0.5);
    expect(w[0]).toBeCloseTo((8 / 5) / (28 / 15), 6);
    expect(w[1]).toBeCloseTo((8 / 3) / (28 / 15), 6);
    expect([...rebalanceWeights([0.75, 0.25], 1)]).toEqual([1, 1]); // λ = 1: no rebalancing
    const inv = rebalanceWeights([0.75, 0.25], 0); // λ = 0: inverse frequency, 1/p̃ / Q
    expect([inv[0], inv[1]].map((v) => +v.toFixed(6))).toEqual([0.666667, 2]);
  });

  it('pools RGB to the targets\' cells before converting to Lab', () => {
    // 2×2 image: two red and two green pixels pool to (½, ½, 0)
    const images = Float32Array.from([1, 0, 1, 0, /* G */ 0, 1, 0, 1, /* B */ 0, 0, 0, 0]);
    const ab = pooledAb({ name: 't', images, shape: [1, 3, 2, 2], labels: new Int32Array(1), classes: ['x'] }, 2);
    const [, a, b] = rgbToLabPixel(0.5, 0.5, 0);
    expect([...ab]).toEqual([a, b]);
  });
});

describe('colour measures', () => {
  it('annealed mean: T = 1 is the expected bin centre; small T goes to the mode', async () => {
    // one pixel, bins at a = 0 and a = 40 (b = 0), logits (0, ln 3): p = (¼, ¾) → a = 30;
    // T = ½: p ∝ (1, 9) → a = 36
    const logits = tensor([0, Math.log(3)], [1, 2, 1, 1]);
    const centres = tensor([0, 0, 40, 0], [2, 2]);
    const mean = await noGrad(() => annealedMean(logits, centres, 1)).data();
    expect(mean[0]).toBeCloseTo(30, 4);
    expect(mean[1]).toBeCloseTo(0, 6);
    expect((await noGrad(() => annealedMean(logits, centres, 0.5)).data())[0]).toBeCloseTo(36, 4);
    expect((await noGrad(() => annealedMean(logits, centres, 0.01)).data())[0]).toBeCloseTo(40, 3);
  });

  it('Hasler–Süsstrunk colourfulness: 0 for gray, 0.3·|μ| for a flat colour, σ for a two-colour image', async () => {
    const flat = (r: number, g: number, b: number) => tensor([r, r, g, g, b, b], [1, 3, 1, 2]);
    expect((await colourfulness(flat(0.4, 0.4, 0.4)).data())[0]).toBeCloseTo(0, 3);
    // pure red: rg = 255, yb = 127.5 → 0.3·√(255² + 127.5²)
    expect((await colourfulness(flat(1, 0, 0)).data())[0]).toBeCloseTo(0.3 * Math.hypot(255, 127.5), 2);
    // half red, half green: μ_rg = 0, μ_yb = 127.5, σ_rg = 255 → 255 + 0.3·127.5
    const rg = tensor([1, 0, 0, 1, 0, 0], [1, 3, 1, 2]);
    expect((await colourfulness(rg).data())[0]).toBeCloseTo(255 + 0.3 * 127.5, 2);
  });
});

describe('colorization task', () => {
  for (const loss of ['classification', 'l2'] as const) {
    it(`${loss}: learns a fixed batch and allocates nothing in steady state`, async () => {
      const cfg = colorization.config('emoji', 'quick', { ...SMALL, loss });
      const state = colorization.build(cfg, emoji);
      const batch = new ImageLoader(emoji, 16, { seed: 1 }).batch(0, 0);
      const losses: number[] = [];
      let after1 = { buffersCreated: 0, pipelinesCreated: 0 };
      for (let s = 0; s < 12; s++) {
        const m = await state.step(batch, s, 1000);
        losses.push(m.loss);
        expect(Number.isFinite(m.loss)).toBe(true);
        if (loss === 'classification') expect(m.accuracy >= 0 && m.accuracy <= 1).toBe(true);
        if (s === 1) after1 = gpuStats();
      }
      const end = gpuStats();
      expect(losses[11], losses.map((l) => l.toFixed(3)).join(' ')).toBeLessThan(0.9 * losses[0]);
      expect(end.buffersCreated - after1.buffersCreated).toBe(0);
      expect(end.pipelinesCreated - after1.pipelinesCreated).toBe(0);
      state.dispose();
    });
  }

  it('held-out metrics and figures: ab error, chroma and colourfulness next to the predict-the-mean baseline', async () => {
    const cfg = colorization.config('emoji', 'quick', SMALL);
    const state = colorization.build(cfg, emoji);
    const test = loadEmoji({ limit: 12 }).twitter;
    const loader = new ImageLoader(test, 12, { seed: 0, shuffle: false });
    const m = await state.heldOut([loader.batch(0, 0)], 1);
    for (const k of ['loss', 'accuracy', 'abError', 'meanBaseline.abError', 'chroma', 'truth.chroma', 'meanBaseline.chroma', 'colourfulness', 'truth.colourfulness', 'meanBaseline.colourfulness']) {
      expect(Number.isFinite(m[k]), k).toBe(true);
    }
    expect(m['truth.chroma']).toBeGreaterThan(5);
    expect(m['truth.colourfulness']).toBeGreaterThan(m['meanBaseline.colourfulness']);
    const [fig] = (await state.pretextExamples?.(loader.batch(0, 0), 1)) ?? [];
    if (fig?.kind !== 'rows') throw new Error(`colorization draws rows, got ${fig?.kind}`);
    expect(fig.imageShape).toEqual([3, 64, 64]);
    expect(fig.rows.map((r) => r.label)).toEqual(['input: lightness only', 'prediction: annealed mean, T = 0.38', 'the mean of the predicted distribution (T = 1)', 'truth']);
    for (const r of fig.rows) expect(r.images.length).toBe(10 * 3 * 64 * 64);
    // the input row is gray: R = G = B
    const gray = fig.rows[0].images;
    expect(Math.abs(gray[0] - gray[64 * 64]) + Math.abs(gray[0] - gray[2 * 64 * 64])).toBeLessThan(1e-3);
    expect(state.modules.encoder.training).toBe(true); // back in training mode
    state.dispose();
  });

  it('the objective needs only a dense encoder: it trains an RGB ConvNet on gray input (a hybrid\'s shared encoder)', async () => {
    const cfg = colorization.config('emoji', 'quick', SMALL);
    const init = new Init(3);
    const encoder = convEncoder(cfg, emoji, init);
    const state = trainObjectives(cfg, encoder, [{ objective: colorizationObjective(cfg, encoder, init, emoji), weight: 1 }]);
    const batch = new ImageLoader(emoji, 16, { seed: 1 }).batch(0, 0);
    const first = (await state.step(batch, 0, 100)).loss;
    let last = first;
    for (let s = 1; s < 8; s++) last = (await state.step(batch, s, 100)).loss;
    expect(last).toBeLessThan(first);
    state.dispose();
  });

  it('stops before training on a grayscale dataset, naming --dataset, and on a grid that does not fit', () => {
    const gray = loadFashionMnist('test', { limit: 16 });
    const cfg = colorization.config('fashion-mnist', 'quick');
    expect(() => colorization.build(cfg, gray)).toThrow(/--dataset fashion-mnist: colorization predicts colour from lightness and needs colour \(RGB\) images; .* has 1 channel \(grayscale\); use --dataset emoji/);
    expect(() => colorization.check(colorization.config('emoji', 'quick', { upsample: 3 }), emoji)).toThrow(/--upsample 3 must divide the encoder map's stride 8/);
    expect(() => colorization.check(colorization.config('emoji', 'quick', { downsample: 3 }), emoji)).toThrow(/--downsample 3: the encoder's map has stride 4·3 = 12/);
  });
});
