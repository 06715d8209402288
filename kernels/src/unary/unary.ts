// Elementwise unary ops: validate → pick the pipeline (op as an override constant) → launch.
import { check, checkArray, checkNonEmpty, type Gpu, type GpuArray, grid1d, numel, outArray, params } from '@pretext/gpu';
import source from './unary.wgsl.js';

/** Op name → the OP override in unary.wgsl. */
export const UNARY_OPS = {
  neg: 0, exp: 1, log: 2, sqrt: 3, rsqrt: 4, abs: 5, relu: 6, gelu: 7, silu: 8, tanh: 9,
  sigmoid: 10, square: 11, reciprocal: 12, sin: 13, cos: 14, sign: 15, leaky_relu: 16,
  scale: 17, add_scalar: 18, pow: 19, step: 20, copy: 21,
} as const;
export type UnaryOp = keyof typeof UNARY_OPS;

/** y = op(x) elementwise; `alpha` is the slope (leaky_relu), factor (scale), addend or exponent. */
export function unary(gpu: Gpu, op: UnaryOp, x: GpuArray, opts: { alpha?: number; out?: GpuArray } = {}): GpuArray {
  const kernel = `unary.${op}`;
  check(op in UNARY_OPS, 'unary', 'op', () => `unknown op '${op}'; one of ${Object.keys(UNARY_OPS).join(', ')}`);
  checkArray(gpu, kernel, 'x', x);
  checkNonEmpty(kernel, 'x', x.shape);
  const n = numel(x.shape);
  const out = outArray(gpu, kernel, x.shape, opts.out, { flat: true });
  gpu.dispatch({
    kernel,
    pipeline: gpu.pipeline(kernel, source, { OP: UNARY_OPS[op] }),
    params: params().u32(n).f32(opts.alpha ?? (op === 'leaky_relu' ? 0.01 : 1)).bytes,
    buffers: [x, out],
    workgroups: grid1d(Math.ceil(n / 256), gpu.limits.maxComputeWorkgroupsPerDimension),
    flops: n,
    bytes: 8 * n,
  });
  return out;
}
