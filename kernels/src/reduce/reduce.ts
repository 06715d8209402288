// Reductions along one axis (keepdims or not) or over all elements: sum, mean, max, min →
// f32, argmax, argmin → i32; and sumToShape, which sums a broadcast gradient back to its
// input's shape. x is viewed as [outer, R, inner]; each pass of reduce.wgsl shrinks R by a
// chunk (64 … 4096 rows), so rows of any length take ⌈log_chunk R⌉ passes.
import { broadcastShapes, check, checkArray, checkNonEmpty, type Gpu, type GpuArray, grid1d, numel, outArray, params, sameShape, shapeString } from '@pretext/gpu';
import source from './reduce.wgsl.js';

export const REDUCE_OPS = { sum: 0, mean: 0, max: 1, min: 2, argmax: 1, argmin: 2 } as const;
export type ReduceOp = keyof typeof REDUCE_OPS;

// 64 invocations per workgroup, each folding up to 64 rows serially before the tree: on a CPU
// adapter a workgroup's barriers cost per invocation, and 64 ran 3× faster than 256 here.
const INVOCATIONS = 64;
const ROWS_PER_INVOCATION = 64;
const IDENTITY: Record<ReduceOp, number> = { sum: 0, mean: 0, max: -Infinity, min: Infinity, argmax: -Infinity, argmin: Infinity };

export interface ReduceOptions {
  /** Axis to reduce (negative counts from the end); absent = all elements. */
  axis?: number;
  keepdims?: boolean;
  out?: GpuArray;
}

/** Workgroup shape (WX columns × WY rows) and rows per workgroup for one pass over R rows. */
function layout(R: number, inner: number) {
  const wx = inner === 1 ? 1 : Math.min(INVOCATIONS, 2 ** Math.ceil(Math.log2(inner)));
  const wy = INVOCATIONS / wx;
  const chunk = wy * ROWS_PER_INVOCATION;
  return { wx, wy, chunk, S: Math.ceil(R / chunk), colBlocks: Math.ceil(inner / wx) };
}

/** One pass: [outer, R, inner] → [outer, S, inner]; writes into y (and yi for arg ops). */
function pass(gpu: Gpu, op: ReduceOp, x: GpuArray, xi: GpuArray | null, y: GpuArray, yi: GpuArray | null, dims: [number, number, number], scale: number): void {
  const [outer, R, inner] = dims;
  const { wx, wy, chunk, S, colBlocks } = layout(R, inner);
  const arg = op === 'argmax' || op === 'argmin';
  const kernel = `reduce.${op}`;
  gpu.dispatch({
    kernel,
    pipeline: gpu.pipeline(kernel, source, { OP: REDUCE_OPS[op], WX: wx, WY: wy, ...(arg ? { FIRST: xi ? 0 : 1 } : {}) }, arg ? 'arg_main' : 'main'),
    params: params().u32(outer).u32(R).u32(inner).u32(S).u32(chunk).u32(colBlocks).f32(scale).f32(IDENTITY[op]).bytes,
    buffers: arg ? [x, y, xi ?? x, yi!] : [x, y],
    workgroups: grid1d(outer * S * colBlocks, gpu.limits.maxComputeWorkgroupsPerDimension),
    flops: outer * R * inner,
    bytes: 4 * (outer * R * inner * (arg ? 2 : 1) + outer * S * inner * (arg ? 2 : 1)),
  });
}

/** Reduces x [outer, R, inner] along R into out [outer, inner] (and its indices for arg ops). */
function reduce3(gpu: Gpu, op: ReduceOp, x: GpuArray, dims: [number, number, number], out: GpuArray): void {
  const [outer, R0, inner] = dims;
  const arg = op === 'argmax' || op === 'argmin';
  let cur = x;
  let curIdx: GpuArray | null = null;
  let R = R0;
  for (;;) {
    const { S } = layout(R, inner);
    const last = S === 1;
    const y = last && !arg ? out : gpu.empty([outer, S, inner], 'f32', `reduce.${op}.partial`);
    const yi = arg ? (last ? out : gpu.empty([outer, S, inner], 'i32', `reduce.${op}.partial`)) : null;
    pass(gpu, op, cur, curIdx, y, yi, [outer, R, inner], last && op === 'mean' ? 1 / R0 : 1);
    if (cur !== x) gpu.free(cur);
    if (curIdx) gpu.free(curIdx);
    if (last) {
      if (arg) gpu.free(y);
      return;
    }
    [cur, curIdx, R] = [y, yi, S];
  }
}

/** sum / mean / max / min (f32) or argmax / argmin (i32) of x along `axis`, or over everything. */
export function reduce(gpu: Gpu, op: ReduceOp, x: GpuArray, opts: ReduceOptions = {}): GpuArray {
  check(op in REDUCE_OPS, 'reduce', 'op', () => `unknown op '${op}'; one of ${Object.keys(REDUCE_OPS).join(', ')}`);
  const kernel = `reduce.${op}`;
  checkArray(gpu, kernel, 'x', x);
  checkNonEmpty(kernel, 'x', x.shape);
  const n = numel(x.shape);
  const rank = x.shape.length;
  let dims: [number, number, number];
  let shape: number[];
  if (opts.axis === undefined) {
    dims = [1, n, 1];
    shape = opts.keepdims ? x.shape.map(() => 1) : [];
  } else {
    const a = opts.axis;
    check(Number.isInteger(a) && a >= -rank && a < rank, kernel, 'axis', () => `${a} is out of range for x ${shapeString(x.shape)}`);
    const ax = a < 0 ? a + rank : a;
    dims = [numel(x.shape.slice(0, ax)), x.shape[ax], numel(x.shape.slice(ax + 1))];
    shape = opts.keepdims ? x.shape.map((d, k) => (k === ax ? 1 : d)) : x.shape.filter((_, k) => k !== ax);
  }
  const dtype = op === 'argmax' || op === 'argmin' ? 'i32' : 'f32';
  const out = outArray(gpu, kernel, shape, opts.out, { dtype });
  reduce3(gpu, op, x, dims, out);
  return out;
}

/**
 * Sums x over the dims that broadcasting stretched, so that the gradient of a broadcast op
 * comes back in its input's `shape`: e.g. [B, T, C] → [C] or [1, T, 1]. `shape` must broadcast
 * to x.shape. Adjacent stretched dims are merged, so the common cases are one reduction.
 */
export function sumToShape(gpu: Gpu, x: GpuArray, shape: readonly number[], opts: { out?: GpuArray } = {}): GpuArray {
  const kernel = 'sumToShape';
  checkArray(gpu, kernel, 'x', x);
  checkNonEmpty(kernel, 'x', x.shape);
  const b = broadcastShapes(shape, x.shape);
  check(shape.length <= x.shape.length && b !== null && sameShape(b, x.shape), kernel, 'shape',
    () => `${shapeString(shape)} does not broadcast to x ${shapeString(x.shape)}`);
  const out = outArray(gpu, kernel, shape, opts.out);
  // runs of x's dims, each either kept or summed ('r'); size-1 dims join either side
  const target = [...new Array<number>(x.shape.length - shape.length).fill(1), ...shape];
  const runs: { size: number; sum: boolean }[] = [];
  x.shape.forEach((d, k) => {
    if (d === 1) return;
    const sum = target[k] === 1;
    const last = runs[runs.length - 1];
    if (last && last.sum === sum) last.size *= d;
    else runs.push({ size: d, sum });
  });
  const steps = runs.filter((r) => r.sum).length;
  if (steps === 0) {
    reduce3(gpu, 'sum', x, [1, 1, numel(x.shape)], out); // nothing to sum: a copy
    return out;
  }
  // reduce the last summed run first; each step keeps the kept runs and the earlier summed ones
  let cur = x;
  let done = 0;
  for (let i = runs.length - 1; i >= 0; i--) {
    if (!runs[i].sum) continue;
    const outer = runs.slice(0, i).reduce((p, r) => p * r.size, 1);
    const inner = runs.slice(i + 1).reduce((p, r) => p * r.size, 1);
    const last = ++done === steps;
    const y = last ? out : gpu.empty([outer * inner], 'f32', `${kernel}.partial`);
    reduce3(gpu, 'sum', cur, [outer, runs[i].size, inner], y);
    if (cur !== x) gpu.free(cur);
    runs[i].size = 1;
    cur = y;
  }
  return out;
}
