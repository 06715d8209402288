// The quantised ab space colorization classifies over (Zhang et al. 2016, §2): a grid of bins of
// side `size` in CIELAB's ab plane, the Q bins a training set's pixels fall in, their empirical
// distribution smoothed by a Gaussian, and the class-rebalancing weights made from it. Computed
// once on the host when the task is built (the decoder's output width is Q).
import type { ImageDataset } from '@pretext/data';
import { rgbToLabPixel } from '@pretext/kernels';

export interface AbBins {
  /** Grid spacing in ab. */
  size: number;
  /** (Q, 2): a, b of each bin the data uses, by a, then b. */
  centres: Float32Array;
  /** (Q): the smoothed empirical distribution p̃ over the bins. */
  prior: Float64Array;
  /** (Q): rebalancing weights, with Σ_q p̃_q·w_q = 1. */
  weights: Float32Array;
  /** The data's mean (a, b): what the predict-the-mean baseline says for every pixel. */
  mean: [number, number];
}

/**
 * (a, b) of every pixel of the images average-pooled stride×stride (the resolution colorization's
 * targets have: the step pools on the GPU, then converts), interleaved (P, 2).
 */
export function pooledAb(data: ImageDataset, stride: number): Float64Array {
  const [n, c, h, w] = data.shape;
  if (c !== 3 || h % stride || w % stride) throw new Error(`pooledAb: needs RGB images with sides divisible by ${stride}, got ${data.shape.join('×')}`);
  const [ho, wo] = [h / stride, w / stride];
  const out = new Float64Array(n * ho * wo * 2);
  const rgb = [0, 0, 0];
  let at = 0;
  for (let i = 0; i < n; i++) {
    for (let y = 0; y < ho; y++) {
      for (let x = 0; x < wo; x++) {
        for (let ch = 0; ch < 3; ch++) {
          let s = 0;
          const plane = (i * 3 + ch) * h * w;
          for (let dy = 0; dy < stride; dy++) for (let dx = 0; dx < stride; dx++) s += data.images[plane + (y * stride + dy) * w + x * stride + dx];
          rgb[ch] = s / (stride * stride);
        }
        const [, a, b] = rgbToLabPixel(rgb[0], rgb[1], rgb[2]);
        out[at++] = a;
        out[at++] = b;
      }
    }
  }
  return out;
}

/** The bins (round(a/size), round(b/size))·size that the interleaved ab pixels fall in, and how many each. */
export function abHistogram(ab: ArrayLike<number>, size: number): { centres: Float32Array; counts: Float64Array } {
  const counts = new Map<string, { a: number; b: number; n: number }>();
  for (let p = 0; p < ab.length; p += 2) {
    const i = Math.round(ab[p] / size);
    const j = Math.round(ab[p + 1] / size);
    const key = `${i},${j}`;
    const bin = counts.get(key);
    if (bin) bin.n++;
    else counts.set(key, { a: i * size, b: j * size, n: 1 });
  }
  const bins = [...counts.values()].sort((u, v) => u.a - v.a || u.b - v.b);
  return { centres: Float32Array.from(bins.flatMap((u) => [u.a, u.b])), counts: Float64Array.from(bins, (u) => u.n) };
}

/** p̃_q ∝ Σ_q' p_q'·e^{−‖c_q − c_q'‖²/2σ²} over the bins, summing to 1 (σ = 0: the empirical p). */
export function smoothedPrior(centres: ArrayLike<number>, counts: ArrayLike<number>, sigma: number): Float64Array {
  const Q = counts.length;
  const p = new Float64Array(Q);
  for (let q = 0; q < Q; q++) {
    if (sigma === 0) {
      p[q] = counts[q];
      continue;
    }
    for (let r = 0; r < Q; r++) {
      const d2 = (centres[2 * q] - centres[2 * r]) ** 2 + (centres[2 * q + 1] - centres[2 * r + 1]) ** 2;
      p[q] += counts[r] * Math.exp(-d2 / (2 * sigma * sigma));
    }
  }
  const total = p.reduce((s, v) => s + v, 0);
  return p.map((v) => v / total);
}

/** w_q ∝ 1/((1 − λ)·p̃_q + λ/Q), scaled so the expected weight Σ_q p̃_q·w_q is 1 (λ = 1: all 1). */
export function rebalanceWeights(prior: ArrayLike<number>, lambda: number): Float32Array {
  const Q = prior.length;
  const w = Array.from(prior, (p) => 1 / ((1 - lambda) * p + lambda / Q));
  const expected = w.reduce((s, v, q) => s + v * prior[q], 0);
  return Float32Array.from(w, (v) => v / expected);
}

/** The bins, prior, weights and mean ab of a training set at the targets' resolution. */
export function abBins(data: ImageDataset, opts: { size: number; stride: number; priorSigma: number; lambda: number }): AbBins {
  const ab = pooledAb(data, opts.stride);
  const { centres, counts } = abHistogram(ab, opts.size);
  const prior = smoothedPrior(centres, counts, opts.priorSigma);
  let [a, b] = [0, 0];
  for (let p = 0; p < ab.length; p += 2) {
    a += ab[p];
    b += ab[p + 1];
  }
  const pixels = ab.length / 2;
  return { size: opts.size, centres, prior, weights: rebalanceWeights(prior, opts.lambda), mean: [a / pixels, b / pixels] };
}
