// Elementwise binary ops and where(), with numpy broadcasting over up to 6 dims:
// validate → broadcast + collapse the shapes → pick the pipeline (op, rank as overrides) → launch.
import { broadcastShapes, broadcastStrides, check, checkArray, checkNonEmpty, collapseDims, type Gpu, type GpuArray, grid1d, MAX_RANK, numel, outArray, padRank, params, sameShape, shapeString } from '@pretext/gpu';
import source from './binary.wgsl.js';
import whereSource from './where.wgsl.js';

/**
 * Op name → the OP override in binary.wgsl. Comparisons give 1.0 / 0.0. The *_grad ops are
 * activation backwards in one pass: op(dy, x) = dy·f'(x).
 */
export const BINARY_OPS = {
  add: 0, sub: 1, mul: 2, div: 3, max: 4, min: 5, pow: 6, gt: 7, ge: 8, lt: 9, le: 10, eq: 11, gelu_grad: 12, relu_grad: 13,
} as const;
export type BinaryOp = keyof typeof BINARY_OPS;

/** Validates the operands and returns the broadcast shape and the collapsed iteration. */
function plan(gpu: Gpu, kernel: string, names: string[], xs: GpuArray[]) {
  xs.forEach((x, j) => {
    checkArray(gpu, kernel, names[j], x);
    checkNonEmpty(kernel, names[j], x.shape);
  });
  const shape = broadcastShapes(...xs.map((x) => x.shape));
  check(shape !== null, kernel, names.join(', '), () => `shapes ${xs.map((x) => shapeString(x.shape)).join(' and ')} do not broadcast`);
  const n = numel(shape);
  const equal = xs.every((x) => sameShape(x.shape, shape));
  const c = collapseDims(shape, xs.map((x) => broadcastStrides(x.shape, shape)));
  check(c.shape.length <= MAX_RANK, kernel, names.join(', '), () => `broadcast over ${c.shape.length} non-mergeable dims; at most ${MAX_RANK}`);
  const lastDim = c.shape[c.shape.length - 1];
  const run = equal ? n : c.strides.every((s) => s[s.length - 1] <= 1) ? lastDim : 1;
  const vec = [8, 4, 1].find((v) => run % v === 0)!;
  return { shape, n, vec, rank: equal ? 0 : c.shape.length, dims: padRank(c.shape, 1), strides: c.strides.map((s) => padRank(s, 0)) };
}

/** out = op(a, b) elementwise, broadcasting a and b to a common shape. */
export function binary(gpu: Gpu, op: BinaryOp, a: GpuArray, b: GpuArray, opts: { out?: GpuArray } = {}): GpuArray {
  check(op in BINARY_OPS, 'binary', 'op', () => `unknown op '${op}'; one of ${Object.keys(BINARY_OPS).join(', ')}`);
  const kernel = `binary.${op}`;
  const pl = plan(gpu, kernel, ['a', 'b'], [a, b]);
  const out = outArray(gpu, kernel, pl.shape, opts.out);
  const pr = params().u32(pl.n);
  for (const v of [...pl.dims, ...pl.strides[0], ...pl.strides[1]]) pr.u32(v);
  gpu.dispatch({
    kernel,
    pipeline: gpu.pipeline(kernel, source, { OP: BINARY_OPS[op], RANK: pl.rank, VEC: pl.vec }),
    params: pr.bytes,
    buffers: [a, b, out],
    workgroups: grid1d(Math.ceil(pl.n / (256 * pl.vec)), gpu.limits.maxComputeWorkgroupsPerDimension),
    flops: pl.n,
    bytes: 4 * (numel(a.shape) + numel(b.shape) + pl.n),
  });
  return out;
}

/** out = cond ≠ 0 ? a : b elementwise (cond is f32, e.g. a comparison's 1.0/0.0), all three broadcast. */
export function where(gpu: Gpu, cond: GpuArray, a: GpuArray, b: GpuArray, opts: { out?: GpuArray } = {}): GpuArray {
  const kernel = 'where';
  const pl = plan(gpu, kernel, ['cond', 'a', 'b'], [cond, a, b]);
  const out = outArray(gpu, kernel, pl.shape, opts.out);
  const pr = params().u32(pl.n);
  for (const v of [...pl.dims, ...pl.strides[0], ...pl.strides[1], ...pl.strides[2]]) pr.u32(v);
  gpu.dispatch({
    kernel,
    pipeline: gpu.pipeline(kernel, whereSource, { RANK: pl.rank }),
    params: pr.bytes,
    buffers: [cond, a, b, out],
    workgroups: grid1d(Math.ceil(pl.n / 256), gpu.limits.maxComputeWorkgroupsPerDimension),
    flops: pl.n,
    bytes: 4 * (numel(cond.shape) + numel(a.shape) + numel(b.shape) + pl.n),
  });
  return out;
}
