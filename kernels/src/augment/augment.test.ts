import { type Gpu, KernelInputError } from '@pretext/gpu';
import { freshSeed, poisoned, randu, relErr, testGpu } from '@pretext/gpu/testing';
import { describe, expect, it } from 'vitest';
import {
  augment,
  colorJitter,
  gaussianBlur,
  randomGrayscale,
  randomHorizontalFlip,
  randomResizedCrop,
  randomSolarize,
} from './augment.js';
import { augmentRef } from './augment.ref.js';
import type { Pipeline } from './pipeline.js';
import { mildPipeline, strongPipeline } from './pipelines.test-util.js';

// awkward sizes: H, W ∈ {2, 3, 5, 13, 28, 33}, N ∈ {1, 2, 3}, C ∈ {1, 3}; 2×3 is narrower than the
// 9-tap blur, so its reflection folds more than once
const SHAPES = [[1, 3, 5, 13], [3, 1, 28, 33], [3, 3, 33, 28], [1, 1, 13, 5], [2, 3, 2, 3]] as const;
const numel = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** relErr, forgiving solarize's step where float32 and float64 land on either side of it. */
function err(got: ArrayLike<number>, want: ArrayLike<number>, threshold?: number): number {
  if (threshold === undefined) return relErr(got, want);
  const g = Float64Array.from(got, (v, i) => {
    const w = want[i];
    const near = Math.abs(w - threshold) < 1e-4 || Math.abs(1 - w - threshold) < 1e-4;
    return near && Math.abs(1 - v - w) < Math.abs(v - w) ? 1 - v : v;
  });
  return relErr(g, want);
}

type Strategy = 'sample' | 'passes';
const STRATEGIES: Strategy[] = ['sample', 'passes'];

async function run(gpu: Gpu, pipeline: Pipeline, shape: readonly number[], outSize: [number, number], views: number, strategy: Strategy) {
  const seed = freshSeed();
  const data = randu(numel(shape), seed);
  const x = gpu.upload(data, shape);
  const out = poisoned(gpu, [views * shape[0], shape[1], ...outSize]);
  augment(gpu, x, pipeline, { seed, outSize, views, out, strategy });
  const got = await gpu.download(out);
  const want = augmentRef(data, shape, pipeline, { seed, outSize, views });
  gpu.free(x);
  gpu.free(out);
  return { got, want, seed };
}

const ONE_OP: Pipeline[] = [
  { name: 'crop', crop: { scale: [0.08, 1], ratio: [3 / 4, 4 / 3] }, description: '' },
  { name: 'flip', flip: { p: 0.5 }, description: '' },
  { name: 'jitter', jitter: { brightness: 0.8, contrast: 0.8, saturation: 0.8, hue: 0.2, p: 0.8 }, description: '' },
  { name: 'grayscale', grayscale: { p: 0.5 }, description: '' },
  { name: 'blur', blur: { p: 0.7, sigma: [0.1, 2], kernelSize: 5 }, description: '' },
  { name: 'wide blur', blur: { p: 1, sigma: [1, 3], kernelSize: 9 }, description: '' },
  { name: 'solarize', solarize: { p: 0.5, threshold: 0.6 }, description: '' },
];

describe('augment', () => {
  for (const pipeline of ONE_OP) {
    it(`${pipeline.name} matches the float64 reference on awkward sizes, both strategies`, async () => {
      const gpu = await testGpu();
      for (const strategy of STRATEGIES) {
        for (const shape of SHAPES) {
          const outSize: [number, number] = pipeline.crop ? [7, 11] : [shape[2], shape[3]];
          const { got, want, seed } = await run(gpu, pipeline, shape, outSize, 1, strategy);
          expect(relErr(got, want), `seed ${seed} shape ${shape} ${strategy}`).toBeLessThan(2e-5);
        }
      }
    });
  }

  for (const pipeline of [strongPipeline(), mildPipeline(), { ...strongPipeline(0.5), name: 'strong(s=0.5)+solarize', solarize: { p: 0.2, threshold: 0.5 } }]) {
    it(`${pipeline.name} (two views, fused passes) matches the reference`, async () => {
      const gpu = await testGpu();
      for (const strategy of STRATEGIES) {
        for (const [shape, outSize] of [[[3, 3, 33, 28], [13, 28]], [[1, 1, 28, 28], [28, 28]], [[3, 3, 5, 13], [5, 5]]] as const) {
          const { got, want, seed } = await run(gpu, pipeline, shape, [outSize[0], outSize[1]], 2, strategy);
          expect(err(got, want, pipeline.solarize?.threshold), `seed ${seed} shape ${shape} ${strategy}`).toBeLessThan(2e-5);
        }
      }
    });
  }

  it('is reproducible bit for bit from its seed and differs across seeds', async () => {
    const gpu = await testGpu();
    const seed = freshSeed();
    const x = gpu.upload(randu(3 * 3 * 28 * 28, seed), [3, 3, 28, 28]);
    const a = await gpu.download(augment(gpu, x, strongPipeline(), { seed, outSize: 24, views: 2 }));
    const b = await gpu.download(augment(gpu, x, strongPipeline(), { seed, outSize: 24, views: 2 }));
    const c = await gpu.download(augment(gpu, x, strongPipeline(), { seed: (seed + 1) >>> 0, outSize: 24, views: 2 }));
    expect(a, `seed ${seed}`).toEqual(b);
    expect(relErr(c, a), `seed ${seed}`).toBeGreaterThan(1e-2);
    // the two views of one image differ too
    const view = 3 * 24 * 24;
    expect(relErr(a.subarray(0, view), a.subarray(3 * view, 4 * view)), `seed ${seed}`).toBeGreaterThan(1e-2);
  });

  it('fused pipeline equals the single ops applied one after the other', async () => {
    const gpu = await testGpu();
    for (const shape of [[3, 3, 33, 28], [3, 1, 13, 28]] as const) {
      const seed = freshSeed();
      const x = gpu.upload(randu(numel(shape), seed), shape);
      const p: Pipeline = { ...strongPipeline(), name: 'chain', solarize: { p: 0.5, threshold: 0.55 } };
      const fused = await gpu.download(augment(gpu, x, p, { seed, outSize: [11, 12] }));
      let y = randomResizedCrop(gpu, x, { seed, outSize: [11, 12], ...p.crop });
      y = randomHorizontalFlip(gpu, y, { seed, p: 0.5 });
      y = colorJitter(gpu, y, { seed, ...p.jitter });
      y = randomGrayscale(gpu, y, { seed, p: 0.2 });
      y = gaussianBlur(gpu, y, { seed, ...p.blur });
      y = randomSolarize(gpu, y, { seed, p: 0.5, threshold: 0.55 });
      const seq = await gpu.download(y);
      expect(err(fused, Float64Array.from(seq), 0.55), `seed ${seed} shape ${shape}`).toBeLessThan(1e-5);
    }
  });

  it('rejects bad input with clear messages', async () => {
    const gpu = await testGpu();
    const x = gpu.upload(new Float32Array(2 * 2 * 8 * 8), [2, 2, 8, 8]);
    const ok = gpu.upload(new Float32Array(2 * 3 * 8 * 8), [2, 3, 8, 8]);
    const sim = strongPipeline();
    expect(() => augment(gpu, x, sim, { seed: 1 })).toThrow(KernelInputError);
    expect(() => augment(gpu, x, sim, { seed: 1 })).toThrow(/channel count must be 1 or 3, got 2/);
    expect(() => augment(gpu, gpu.upload(new Float32Array(8), [2, 4]), sim, { seed: 1 })).toThrow(/must be \(N, C, H, W\), got \[2, 4\]/);
    expect(() => augment(gpu, gpu.upload(new Int32Array(3 * 64), [1, 3, 8, 8]), sim, { seed: 1 })).toThrow(/dtype must be f32/);
    expect(() => augment(gpu, gpu.empty([0, 3, 8, 8]), sim, { seed: 1 })).toThrow(/empty batch/);
    expect(() => randomResizedCrop(gpu, ok, { seed: 1, scale: [0, 1] })).toThrow(/'crop\.scale': .*in \(0, 1\]/);
    expect(() => randomResizedCrop(gpu, ok, { seed: 1, scale: [0.5, 1.2] })).toThrow(/'crop\.scale'/);
    expect(() => randomResizedCrop(gpu, ok, { seed: 1, scale: [0.9, 0.5] })).toThrow(/lo ≤ hi/);
    expect(() => randomResizedCrop(gpu, ok, { seed: 1, ratio: [-1, 2] })).toThrow(/'crop\.ratio'/);
    expect(() => randomResizedCrop(gpu, ok, { seed: 1, outSize: 0 })).toThrow(/'outSize': must be positive integers/);
    expect(() => randomResizedCrop(gpu, ok, { seed: 1, outSize: [4, 2.5] })).toThrow(/'outSize'/);
    expect(() => randomHorizontalFlip(gpu, ok, { seed: 1, p: 1.5 })).toThrow(/'flip\.p': probability must be in \[0, 1\]/);
    expect(() => augment(gpu, ok, { name: 'f', flip: { p: 1 }, description: '' }, { seed: 1, outSize: 4 })).toThrow(/no crop to resize/);
    expect(() => gaussianBlur(gpu, ok, { seed: 1, kernelSize: 4 })).toThrow(/'blur\.kernelSize': must be an odd integer/);
    expect(() => colorJitter(gpu, ok, { seed: 1, hue: 0.7 })).toThrow(/'jitter\.hue'/);
    expect(() => augment(gpu, ok, sim, { seed: -3 })).toThrow(/'seed': must be an integer/);
    expect(() => augment(gpu, ok, sim, { seed: 1, out: gpu.empty([2, 3, 8, 7]) })).toThrow(/'out': must be f32 \[2, 3, 8, 8\]/);
    const big = gpu.empty([1, 3, 64, 64]);
    expect(() => augment(gpu, big, sim, { seed: 1, strategy: 'sample' })).toThrow(/'strategy': 'sample' needs \d+ bytes of workgroup memory for 3×64×64/);
  });
});
