// CPU references for slice, concat and pad (plain index arithmetic on flat row-major arrays).
import { contiguousStrides, forEachIndex } from '@pretext/gpu';

const dot = (c: readonly number[], s: readonly number[]) => c.reduce((a, v, k) => a + v * s[k], 0);

export function sliceRef(x: ArrayLike<number>, shape: readonly number[], start: readonly number[], stop: readonly number[], step = shape.map(() => 1)): { data: Float64Array; shape: number[] } {
  const norm = (v: number, d: number) => Math.min(d, Math.max(0, v < 0 ? v + d : v));
  const lo = shape.map((d, k) => norm(start[k], d));
  const outShape = shape.map((d, k) => Math.max(0, Math.ceil((norm(stop[k], d) - lo[k]) / step[k])));
  const xs = contiguousStrides(shape);
  const data = new Float64Array(outShape.reduce((p, d) => p * d, 1));
  forEachIndex(outShape, (c, i) => (data[i] = x[dot(c.map((v, k) => lo[k] + v * step[k]), xs)]));
  return { data, shape: outShape };
}

export function concatRef(xs: readonly { data: ArrayLike<number>; shape: readonly number[] }[], axis: number): { data: Float64Array; shape: number[] } {
  const shape = [...xs[0].shape];
  shape[axis] = xs.reduce((s, x) => s + x.shape[axis], 0);
  const os = contiguousStrides(shape);
  const data = new Float64Array(shape.reduce((p, d) => p * d, 1));
  let at = 0;
  for (const x of xs) {
    forEachIndex(x.shape, (c, i) => (data[dot(c, os) + at * os[axis]] = x.data[i]));
    at += x.shape[axis];
  }
  return { data, shape };
}

export function padRef(x: ArrayLike<number>, shape: readonly number[], pads: readonly (readonly [number, number])[], value = 0): { data: Float64Array; shape: number[] } {
  const outShape = shape.map((d, k) => pads[k][0] + d + pads[k][1]);
  const os = contiguousStrides(outShape);
  const data = new Float64Array(outShape.reduce((p, d) => p * d, 1)).fill(value);
  forEachIndex(shape, (c, i) => (data[dot(c.map((v, k) => v + pads[k][0]), os)] = x[i]));
  return { data, shape: outShape };
}
