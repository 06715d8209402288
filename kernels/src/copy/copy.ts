// Strided copy and what it serves: slice (start/stop/step per axis), concat along an axis,
// pad with a constant, fill. Every op is one or a few launches of copy.wgsl / fill.wgsl.
import { check, checkBinding, checkNonEmpty, collapseDims, contiguousStrides, type DType, type Gpu, type GpuArray, grid1d, MAX_RANK, numel, outArray, padRank, params, shapeString } from '@pretext/gpu';
import source from './copy.wgsl.js';
import fillSource from './fill.wgsl.js';

/** One strided copy: for every coordinate c of `shape`, out[outOffset + c·outStrides] = x[xOffset + c·xStrides]. */
export interface StridedCopyPlan {
  shape: readonly number[];
  xStrides: readonly number[];
  outStrides: readonly number[];
  xOffset?: number;
  outOffset?: number;
}

/** The general strided copy (elements as 32-bit words: any dtype). Bounds are checked on the host. */
export function stridedCopy(gpu: Gpu, x: GpuArray, out: GpuArray, plan: StridedCopyPlan, kernel = 'copy.strided'): GpuArray {
  const { shape, xStrides, outStrides, xOffset = 0, outOffset = 0 } = plan;
  check(x.dtype === out.dtype, kernel, 'out', () => `dtype ${out.dtype} differs from x's ${x.dtype}`);
  check(shape.length === xStrides.length && shape.length === outStrides.length, kernel, 'plan', () => `shape ${shapeString(shape)} needs ${shape.length} strides per side`);
  check([...xStrides, ...outStrides, xOffset, outOffset].every((s) => Number.isInteger(s) && s >= 0), kernel, 'plan', () => 'strides and offsets must be non-negative integers');
  const n = numel(shape);
  check(n > 0, kernel, 'plan', () => `empty copy ${shapeString(shape)}`);
  const last = (off: number, st: readonly number[]) => off + shape.reduce((s, d, k) => s + (d - 1) * st[k], 0);
  check(last(xOffset, xStrides) < numel(x.shape), kernel, 'x', () => `copy reads past the end of ${shapeString(x.shape)}`);
  check(last(outOffset, outStrides) < numel(out.shape), kernel, 'out', () => `copy writes past the end of ${shapeString(out.shape)}`);
  checkBinding(gpu, kernel, 'x', x.shape);
  checkBinding(gpu, kernel, 'out', out.shape);
  const c = collapseDims(shape, [xStrides, outStrides]);
  check(c.shape.length <= MAX_RANK, kernel, 'plan', () => `${c.shape.length} non-mergeable dims; at most ${MAX_RANK}`);
  const vec = [8, 4, 1].find((v) => c.shape[c.shape.length - 1] % v === 0)!; // elements per invocation along the last dim
  const pr = params().u32(n).u32(xOffset).u32(outOffset);
  for (const v of [...padRank(c.shape, 1), ...padRank(c.strides[0], 0), ...padRank(c.strides[1], 0)]) pr.u32(v);
  gpu.dispatch({
    kernel,
    pipeline: gpu.pipeline('copy.strided', source, { RANK: c.shape.length, VEC: vec }),
    params: pr.bytes,
    buffers: [x, out],
    workgroups: grid1d(Math.ceil(n / (256 * vec)), gpu.limits.maxComputeWorkgroupsPerDimension),
    flops: 0,
    bytes: 8 * n,
  });
  return out;
}

function word(dtype: DType, value: number): number {
  const v = new DataView(new ArrayBuffer(4));
  if (dtype === 'f32') v.setFloat32(0, value, true);
  else if (dtype === 'i32') v.setInt32(0, value, true);
  else v.setUint32(0, value, true);
  return v.getUint32(0, true);
}

/** out[:] = value (converted to out's dtype). */
export function fill(gpu: Gpu, out: GpuArray, value: number): GpuArray {
  const kernel = 'copy.fill';
  const n = numel(out.shape);
  checkNonEmpty(kernel, 'out', out.shape);
  checkBinding(gpu, kernel, 'out', out.shape);
  gpu.dispatch({
    kernel,
    pipeline: gpu.pipeline(kernel, fillSource),
    params: params().u32(n).u32(word(out.dtype, value)).bytes,
    buffers: [out],
    workgroups: grid1d(Math.ceil(n / 256), gpu.limits.maxComputeWorkgroupsPerDimension),
    flops: 0,
    bytes: 4 * n,
  });
  return out;
}

/**
 * x[start_0:stop_0:step_0, …] as in Python: negative start/stop count from the end, both are
 * clamped to the dim, step ≥ 1 (default 1). Output dim k = ⌈(stop_k − start_k) / step_k⌉.
 */
export function slice(gpu: Gpu, x: GpuArray, start: readonly number[], stop: readonly number[], opts: { step?: readonly number[]; out?: GpuArray } = {}): GpuArray {
  const kernel = 'slice';
  const rank = x.shape.length;
  const step = opts.step ?? x.shape.map(() => 1);
  check(start.length === rank && stop.length === rank && step.length === rank, kernel, 'start, stop, step', () => `need ${rank} entries each for x ${shapeString(x.shape)}, got ${start.length}, ${stop.length}, ${step.length}`);
  check(step.every((s) => Number.isInteger(s) && s >= 1), kernel, 'step', () => `steps must be integers ≥ 1, got [${step.join(', ')}]`);
  const norm = (v: number, d: number) => Math.min(d, Math.max(0, v < 0 ? v + d : v));
  const lo = x.shape.map((d, k) => norm(start[k], d));
  const hi = x.shape.map((d, k) => norm(stop[k], d));
  const shape = x.shape.map((_, k) => Math.max(0, Math.ceil((hi[k] - lo[k]) / step[k])));
  check(numel(shape) > 0, kernel, 'start, stop', () => `slice [${lo.map((l, k) => `${l}:${hi[k]}:${step[k]}`).join(', ')}] of ${shapeString(x.shape)} is empty`);
  const out = outArray(gpu, kernel, shape, opts.out, { dtype: x.dtype });
  const xs = contiguousStrides(x.shape);
  return stridedCopy(gpu, x, out, {
    shape,
    xStrides: xs.map((s, k) => s * step[k]),
    xOffset: lo.reduce((o, l, k) => o + l * xs[k], 0),
    outStrides: contiguousStrides(shape),
  }, kernel);
}

/** Joins arrays of equal rank and dtype along `axis` (each written at its offset into one output). */
export function concat(gpu: Gpu, xs: readonly GpuArray[], axis: number, opts: { out?: GpuArray } = {}): GpuArray {
  const kernel = 'concat';
  check(xs.length > 0, kernel, 'xs', () => 'needs at least one array');
  const first = xs[0];
  const rank = first.shape.length;
  check(Number.isInteger(axis) && axis >= -rank && axis < rank, kernel, 'axis', () => `${axis} is out of range for rank ${rank}`);
  const ax = axis < 0 ? axis + rank : axis;
  xs.forEach((x, i) => {
    check(x.dtype === first.dtype, kernel, `xs[${i}]`, () => `dtype ${x.dtype} differs from xs[0]'s ${first.dtype}`);
    check(x.shape.length === rank && x.shape.every((d, k) => k === ax || d === first.shape[k]), kernel, `xs[${i}]`,
      () => `shape ${shapeString(x.shape)} does not match ${shapeString(first.shape)} outside axis ${ax}`);
  });
  const shape = [...first.shape];
  shape[ax] = xs.reduce((s, x) => s + x.shape[ax], 0);
  const out = outArray(gpu, kernel, shape, opts.out, { dtype: first.dtype });
  const os = contiguousStrides(shape);
  let at = 0;
  for (const x of xs) {
    if (numel(x.shape) > 0) stridedCopy(gpu, x, out, { shape: x.shape, xStrides: contiguousStrides(x.shape), outStrides: os, outOffset: at * os[ax] }, kernel);
    at += x.shape[ax];
  }
  return out;
}

/** Pads each dim k with pads[k] = [before, after] elements of `value` (default 0). */
export function pad(gpu: Gpu, x: GpuArray, pads: readonly (readonly [number, number])[], opts: { value?: number; out?: GpuArray } = {}): GpuArray {
  const kernel = 'pad';
  check(pads.length === x.shape.length, kernel, 'pads', () => `need ${x.shape.length} [before, after] pairs for x ${shapeString(x.shape)}, got ${pads.length}`);
  check(pads.every(([b, a]) => Number.isInteger(b) && Number.isInteger(a) && b >= 0 && a >= 0), kernel, 'pads', () => 'pads must be non-negative integers');
  checkNonEmpty(kernel, 'x', x.shape);
  const shape = x.shape.map((d, k) => pads[k][0] + d + pads[k][1]);
  const out = outArray(gpu, kernel, shape, opts.out, { dtype: x.dtype });
  const os = contiguousStrides(shape);
  if (numel(shape) !== numel(x.shape)) fill(gpu, out, opts.value ?? 0);
  return stridedCopy(gpu, x, out, { shape: x.shape, xStrides: contiguousStrides(x.shape), outStrides: os, outOffset: pads.reduce((o, [b], k) => o + b * os[k], 0) }, kernel);
}
