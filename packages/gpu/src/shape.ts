// Shape arithmetic shared by launchers and references: numpy broadcasting, row-major strides,
// collapsing an N-D iteration into the fewest dims, and index walks for CPU references.
import { numel } from './dtype.js';

/** The most dims a strided or broadcasting kernel indexes after collapsing (binary, where, copy). */
export const MAX_RANK = 6;

/** A 2-D size (kernel, stride, padding, dilation): one number for both dims, or [h, w]. */
export type Pair = number | readonly [number, number];

/** `v` as [h, w]; `fallback` when v is absent. */
export function pair(v: Pair | undefined, fallback: Pair): [number, number] {
  const p = v ?? fallback;
  return typeof p === 'number' ? [p, p] : [p[0], p[1]];
}

/** Equal rank and dims. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, k) => d === b[k]);
}

/** numpy broadcast of two or more shapes (right-aligned; a dim of 1 stretches), or null if incompatible. */
export function broadcastShapes(...shapes: (readonly number[])[]): number[] | null {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let k = 0; k < rank; k++) {
    let d = 1;
    for (const s of shapes) {
      const v = s[s.length - rank + k] ?? 1;
      if (v === 1) continue;
      if (d !== 1 && d !== v) return null;
      d = v;
    }
    out.push(d);
  }
  return out;
}

/** Row-major element strides of a contiguous array. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let k = shape.length - 1; k >= 0; k--) {
    s[k] = acc;
    acc *= shape[k];
  }
  return s;
}

/** Strides that read a contiguous `shape` as if broadcast to `to` (0 where a dim is stretched). */
export function broadcastStrides(shape: readonly number[], to: readonly number[]): number[] {
  const own = contiguousStrides(shape);
  return to.map((_, k) => {
    const j = shape.length - to.length + k;
    return j < 0 || shape[j] === 1 ? 0 : own[j];
  });
}

/**
 * Fewest dims describing the same iteration: size-1 dims dropped, and dim k merged into k−1
 * whenever every operand's strides satisfy  s[k−1] = s[k] · shape[k]  (so one flat counter walks
 * both). E.g. bias add [B, T, C] + [C] → shape [B·T, C], strides [[C, 1], [0, 1], [C, 1]].
 */
export function collapseDims(shape: readonly number[], strides: readonly (readonly number[])[]): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let k = 0; k < shape.length; k++) {
    if (shape[k] === 1) continue;
    const last = outShape.length - 1;
    if (last >= 0 && strides.every((s, j) => outStrides[j][last] === s[k] * shape[k])) {
      outShape[last] *= shape[k];
      strides.forEach((s, j) => (outStrides[j][last] = s[k]));
    } else {
      outShape.push(shape[k]);
      strides.forEach((s, j) => outStrides[j].push(s[k]));
    }
  }
  if (outShape.length === 0) return { shape: [1], strides: strides.map(() => [0]) };
  return { shape: outShape, strides: outStrides };
}

/** `values` padded on the left with `fill` to MAX_RANK entries (the kernels index dims 0..5). */
export function padRank(values: readonly number[], fill: number): number[] {
  return [...new Array<number>(MAX_RANK - values.length).fill(fill), ...values];
}

/** Flat source index of every element of `to`, for a contiguous operand of `shape` broadcast to it. */
export function broadcastIndex(shape: readonly number[], to: readonly number[]): Int32Array {
  const strides = broadcastStrides(shape, to);
  const n = numel(to);
  const idx = new Int32Array(n);
  const c = new Array<number>(to.length).fill(0);
  let off = 0;
  for (let i = 0; i < n; i++) {
    idx[i] = off;
    for (let k = to.length - 1; k >= 0; k--) {
      c[k]++;
      off += strides[k];
      if (c[k] < to[k]) break;
      off -= strides[k] * to[k];
      c[k] = 0;
    }
  }
  return idx;
}

/** Visits every coordinate of `shape` in row-major order, with its flat index. */
export function forEachIndex(shape: readonly number[], f: (c: number[], flat: number) => void): void {
  const n = numel(shape);
  const c = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    f(c, i);
    for (let k = shape.length - 1; k >= 0 && ++c[k] === shape[k]; k--) c[k] = 0;
  }
}
