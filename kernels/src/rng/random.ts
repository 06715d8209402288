// Fills a new array with seeded uniform or normal numbers (counter-based, reproducible).
import { check, type Gpu, type GpuArray, grid1d, numel, params, shapeString } from '@pretext/gpu';
import randomSource from './random.wgsl.js';
import rngSource from './rng.wgsl.js';

/** rng.wgsl, to prepend to any shader that calls rand2 / randn1 / threefry2x32. */
export const RNG_WGSL = rngSource;

export interface RandomOptions {
  seed: number;
  /** Independent streams under one seed (e.g. one per tensor or per step). */
  stream?: number;
  out?: GpuArray;
}

/** U(lo, hi) in the given shape. */
export function randomUniform(gpu: Gpu, shape: readonly number[], lo: number, hi: number, opts: RandomOptions): GpuArray {
  return fill(gpu, 'random.uniform', 0, shape, lo, hi, opts);
}

/** N(mean, std²) in the given shape. */
export function randomNormal(gpu: Gpu, shape: readonly number[], mean: number, std: number, opts: RandomOptions): GpuArray {
  return fill(gpu, 'random.normal', 1, shape, mean, std, opts);
}

function fill(gpu: Gpu, kernel: string, dist: number, shape: readonly number[], a: number, b: number, opts: RandomOptions): GpuArray {
  const n = numel(shape);
  check(n > 0, kernel, 'shape', () => `empty shape ${shapeString(shape)}`);
  check(Number.isInteger(opts.seed) && opts.seed >= 0 && opts.seed < 2 ** 32, kernel, 'seed', () => `must be an integer in [0, 2^32), got ${opts.seed}`);
  const out = opts.out ?? gpu.empty(shape, 'f32', kernel);
  check(numel(out.shape) === n && out.dtype === 'f32', kernel, 'out', () => `must be f32 ${shapeString(shape)}, got ${out.dtype} ${shapeString(out.shape)}`);
  gpu.dispatch({
    kernel,
    pipeline: gpu.pipeline(kernel, RNG_WGSL + randomSource, { DIST: dist }),
    params: params().u32(n).u32(opts.seed).u32(opts.stream ?? 0).f32(a).f32(b).bytes,
    buffers: [out],
    workgroups: grid1d(Math.ceil(n / 256), gpu.limits.maxComputeWorkgroupsPerDimension),
    flops: 40 * n,
    bytes: 4 * n,
  });
  return out;
}
