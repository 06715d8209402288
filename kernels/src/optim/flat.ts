// What the optimizer's launchers share (not exported from the package): the check of a flat
// parameter-shaped buffer, and the launch of elementwise.wgsl's one-pass updates (clip, ema).
import { check, checkArray, checkNonEmpty, type Gpu, type GpuArray, grid1d, numel, params, shapeString } from '@pretext/gpu';
import elementwiseSource from './elementwise.wgsl.js';

/** A flat f32 buffer of `n` elements (any shape); returns its length. */
export function checkParamBuffer(gpu: Gpu, kernel: string, name: string, a: GpuArray, n?: number): number {
  checkArray(gpu, kernel, name, a);
  checkNonEmpty(kernel, name, a.shape);
  const len = numel(a.shape);
  check(n === undefined || len === n, kernel, name, () => `must hold ${n} elements (the layout's n), got ${shapeString(a.shape)}`);
  return len;
}

/** One invocation per element i < n of elementwise.wgsl's `entry`: y = buffers[0] updated from buffers[1] and `a`. */
export function elementwise(gpu: Gpu, kernel: string, entry: 'clip' | 'ema', n: number, a: number, buffers: readonly GpuArray[], work: { flops: number; bytes: number }): void {
  gpu.dispatch({
    kernel,
    pipeline: gpu.pipeline(kernel, elementwiseSource, {}, entry),
    params: params().u32(n).f32(a).bytes,
    buffers,
    workgroups: grid1d(Math.ceil(n / 256), gpu.limits.maxComputeWorkgroupsPerDimension),
    ...work,
  });
}
