// Fills a new array with seeded uniform or normal numbers (counter-based, reproducible): rng.wgsl,
// which draws through rng.inc.wgsl, the RNG's GPU side.
import { checkNonEmpty, checkU32, type Gpu, type GpuArray, grid1d, numel, outArray, params } from '@pretext/gpu';
import source from './rng.wgsl.js';

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
  const { seed, stream = 0 } = opts;
  checkNonEmpty(kernel, 'shape', shape);
  checkU32(kernel, 'seed', seed);
  checkU32(kernel, 'stream', stream);
  const out = outArray(gpu, kernel, shape, opts.out, { flat: true });
  const n = numel(shape);
  gpu.dispatch({
    kernel,
    pipeline: gpu.pipeline(kernel, source, { DIST: dist }),
    params: params().u32(n).u32(seed).u32(stream).f32(a).f32(b).bytes,
    buffers: [out],
    workgroups: grid1d(Math.ceil(n / 256), gpu.limits.maxComputeWorkgroupsPerDimension),
    flops: 40 * n,
    bytes: 4 * n,
  });
  return out;
}
