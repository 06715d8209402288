// The adapter's own yardsticks: a pure-FMA kernel (GFLOP/s ceiling) and a vec4 copy kernel
// (GB/s ceiling). The bench measures both in the same run and reports every kernel as a
// fraction of them; on lavapipe they are far below the CPU's physical peak.
import { check, checkArray, checkBinding, checkNonEmpty, type Gpu, type GpuArray, grid1d, numel, outArray, params } from '@pretext/gpu';
import copySource from './copy.wgsl.js';
import fmaSource from './fma.wgsl.js';

/** FLOPs one invocation does per loop iteration: 8 vec4 chains × 4 lanes × (mul + add). */
export const FMA_FLOPS_PER_ITER = 64;

export interface FmaCeilingOptions {
  /** Invocations (outputs), ≥ 1. */
  n: number;
  /** Loop iterations per invocation, ≥ 1. */
  iters: number;
  /** a ← a·m + c; |m| < 1 keeps the chains bounded (fixed point c / (1 − m)). */
  m?: number;
  c?: number;
  /** Use WGSL fma() instead of a*m+c. */
  fused?: boolean;
  out?: GpuArray;
}

/** y[i] = Σ over 8 chains × 4 lanes of the chain value after `iters` steps of a ← a·m + c. */
export function fmaCeiling(gpu: Gpu, opts: FmaCeilingOptions): GpuArray {
  const { n, iters, m = 0.999, c = 0.001, fused = false } = opts;
  const kernel = fused ? 'ceiling.fma' : 'ceiling.mad';
  check(Number.isInteger(n) && n >= 1, kernel, 'n', () => `must be a positive integer, got ${n}`);
  check(Number.isInteger(iters) && iters >= 1 && iters < 2 ** 32, kernel, 'iters', () => `must be a positive 32-bit integer, got ${iters}`);
  // start() indexes (i·8 + k)·4 + j in u32
  check(n * 32 < 2 ** 32, kernel, 'n', () => `${n} invocations overflow the u32 lane index (max ${2 ** 27 - 1})`);
  const out = outArray(gpu, kernel, [n], opts.out, { flat: true });
  gpu.dispatch({
    kernel,
    pipeline: gpu.pipeline(kernel, fmaSource, { FUSED: fused ? 1 : 0 }),
    params: params().u32(n).u32(iters).f32(m).f32(c).bytes,
    buffers: [out],
    workgroups: grid1d(Math.ceil(n / 64), gpu.limits.maxComputeWorkgroupsPerDimension),
    flops: n * iters * FMA_FLOPS_PER_ITER,
    bytes: n * 4,
  });
  return out;
}

/** y = x, moved as vec4s; bytes = 2 · 16 · ⌈n/4⌉ (read + write). */
export function copyCeiling(gpu: Gpu, x: GpuArray, opts: { out?: GpuArray } = {}): GpuArray {
  const kernel = 'ceiling.copy';
  checkNonEmpty(kernel, 'x', x.shape);
  const n = numel(x.shape);
  const n4 = Math.ceil(n / 4);
  checkArray(gpu, kernel, 'x', x);
  checkBinding(gpu, kernel, 'x', 4 * n4); // read as ⌈n/4⌉ vec4s
  check(x.buffer.size - (x.offset ?? 0) >= n4 * 16, kernel, 'x', () => `buffer of ${x.buffer.size} bytes holds fewer than ⌈${n}/4⌉ vec4s`);
  const out = outArray(gpu, kernel, x.shape, opts.out, { flat: true });
  check(out.buffer.size - (out.offset ?? 0) >= n4 * 16, kernel, 'out', () => `buffer of ${out.buffer.size} bytes holds fewer than ⌈${n}/4⌉ vec4s`);
  gpu.dispatch({
    kernel,
    pipeline: gpu.pipeline(kernel, copySource),
    params: params().u32(n4).bytes,
    buffers: [x, out],
    workgroups: grid1d(Math.ceil(n4 / 256), gpu.limits.maxComputeWorkgroupsPerDimension),
    flops: 0,
    bytes: 2 * 16 * n4,
  });
  return out;
}
