// Row gather (index_select along axis 0; Embedding forward) and its backward, the row
// scatter-add (Embedding backward), which sorts the ids by row (integer counts, a prefix sum,
// ranks) so that each output element is owned by one invocation: no float atomics.
import { check, checkArray, checkBinding, checkNonEmpty, type Gpu, type GpuArray, grid1d, numel, outArray, params, shapeString } from '@pretext/gpu';
import source from './gather.wgsl.js';
import { fill } from '../copy/copy.js';
import countSource from './scatter_count.wgsl.js';
import placeSource from './scatter_place.wgsl.js';
import scanSource from './scatter_scan.wgsl.js';
import sumSource from './scatter_sum.wgsl.js';

/** Device indices as they are, or host indices: bounds-checked against `rows`, then uploaded. */
function indices(gpu: Gpu, kernel: string, idx: GpuArray | Int32Array, rows: number): { arr: GpuArray; owned: boolean } {
  if (!(idx instanceof Int32Array)) {
    checkArray(gpu, kernel, 'idx', idx, undefined, 'i32');
    checkNonEmpty(kernel, 'idx', idx.shape);
    return { arr: idx, owned: false };
  }
  check(idx.length > 0, kernel, 'idx', () => 'no indices');
  const bad = idx.findIndex((v) => v < 0 || v >= rows);
  check(bad < 0, kernel, 'idx', () => `idx[${bad}] = ${idx[bad]} is out of range [0, ${rows})`);
  return { arr: gpu.upload(idx, [idx.length], `${kernel}.idx`), owned: true };
}

/**
 * out[i…, :] = x[idx[i…], :]: x [V, …row], idx [N…] (i32) → out [N…, …row], any 32-bit dtype.
 * Host indices (Int32Array) are bounds-checked here; on the device an index outside [0, V)
 * yields a row of zeros.
 */
export function gather(gpu: Gpu, x: GpuArray, idx: GpuArray | Int32Array, opts: { out?: GpuArray } = {}): GpuArray {
  const kernel = 'gather';
  check(x.shape.length >= 1 && numel(x.shape) > 0, kernel, 'x', () => `must be a non-empty array of rows, got ${shapeString(x.shape)}`);
  checkBinding(gpu, kernel, 'x', x.shape);
  const V = x.shape[0];
  const D = numel(x.shape.slice(1));
  const { arr: ix, owned } = indices(gpu, kernel, idx, V);
  const shape = [...ix.shape, ...x.shape.slice(1)];
  const out = outArray(gpu, kernel, shape, opts.out, { dtype: x.dtype });
  const n = numel(shape);
  // gather.wgsl: a workgroup of 64 per row when rows are at least that wide, else one invocation per element
  const rowMode = D >= 64;
  gpu.dispatch({
    kernel,
    pipeline: gpu.pipeline(kernel, source),
    params: params().u32(n).u32(D).u32(V).u32(Number(rowMode)).bytes,
    buffers: [x, ix, out],
    workgroups: grid1d(rowMode ? numel(ix.shape) : Math.ceil(n / 64), gpu.limits.maxComputeWorkgroupsPerDimension),
    flops: 0,
    bytes: 8 * n + 4 * numel(ix.shape),
  });
  if (owned) gpu.free(ix);
  return out;
}

/**
 * dx[r, :] = Σ_{i : idx[i] = r} dy[i, :]: the backward of gather. dy [N…, …row], idx [N…] →
 * dx [rows, …row] (f32). Indices outside [0, rows) contribute nothing (host ones are rejected).
 */
export function scatterAddRows(gpu: Gpu, dy: GpuArray, idx: GpuArray | Int32Array, rows: number, opts: { out?: GpuArray } = {}): GpuArray {
  const kernel = 'scatterAddRows';
  check(Number.isInteger(rows) && rows > 0, kernel, 'rows', () => `must be a positive integer, got ${rows}`);
  checkArray(gpu, kernel, 'dy', dy);
  const { arr: ix, owned } = indices(gpu, kernel, idx, rows);
  const lead = ix.shape.length;
  check(dy.shape.length >= lead && ix.shape.every((d, k) => dy.shape[k] === d), kernel, 'dy',
    () => `shape ${shapeString(dy.shape)} must start with idx's shape ${shapeString(ix.shape)}`);
  const rowShape = dy.shape.slice(lead);
  const D = numel(rowShape);
  const N = numel(ix.shape);
  check(D > 0, kernel, 'dy', () => `empty rows in ${shapeString(dy.shape)}`);
  const shape = [rows, ...rowShape];
  const out = outArray(gpu, kernel, shape, opts.out);
  const grid = (n: number) => grid1d(Math.ceil(n / 256), gpu.limits.maxComputeWorkgroupsPerDimension);
  // 1. counts[r] = #ids equal to r   2. → start[r], exclusive prefix sum (start[V] = total)
  const start = fill(gpu, gpu.empty([rows + 1], 'u32', `${kernel}.start`), 0);
  gpu.dispatch({ kernel: `${kernel}.count`, pipeline: gpu.pipeline(`${kernel}.count`, countSource), params: params().u32(N).u32(rows).bytes,
    buffers: [ix, start], workgroups: grid(N), flops: 0, bytes: 8 * N });
  gpu.dispatch({ kernel: `${kernel}.scan`, pipeline: gpu.pipeline(`${kernel}.scan`, scanSource), params: params().u32(rows + 1).bytes,
    buffers: [start], workgroups: [1], flops: rows, bytes: 16 * (rows + 1) });
  // 3. order: ids grouped by row, ascending within a row   4. one owner per dx element sums its row's hits
  const order = gpu.empty([N], 'u32', `${kernel}.order`);
  gpu.dispatch({ kernel: `${kernel}.place`, pipeline: gpu.pipeline(`${kernel}.place`, placeSource), params: params().u32(N).u32(rows).bytes,
    buffers: [ix, start, order], workgroups: grid(N), flops: (N * N) / 2, bytes: 12 * N });
  gpu.dispatch({ kernel: `${kernel}.sum`, pipeline: gpu.pipeline(`${kernel}.sum`, sumSource), params: params().u32(rows * D).u32(D).bytes,
    buffers: [dy, start, order, out], workgroups: grid(rows * D), flops: N * D, bytes: 4 * (N * D + rows * D + 2 * rows + N) });
  gpu.free(start);
  gpu.free(order);
  if (owned) gpu.free(ix);
  return out;
}
