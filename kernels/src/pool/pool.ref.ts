// CPU reference for pooling, float64.
import type { PoolGeometry } from './pool.js';

/** Calls f(output index, input index within its plane, plane base, in-image taps of the window) per in-image tap. */
function forEachWindow(g: PoolGeometry, f: (o: number, k: number, base: number, count: number) => void): void {
  for (let pl = 0; pl < g.n * g.c; pl++)
    for (let oh = 0; oh < g.ho; oh++)
      for (let ow = 0; ow < g.wo; ow++) {
        const o = (pl * g.ho + oh) * g.wo + ow;
        const taps: number[] = [];
        for (let a = 0; a < g.kh; a++)
          for (let b = 0; b < g.kw; b++) {
            const ih = oh * g.sh - g.ph + a;
            const iw = ow * g.sw - g.pw + b;
            if (ih >= 0 && ih < g.h && iw >= 0 && iw < g.w) taps.push(ih * g.w + iw);
          }
        for (const k of taps) f(o, k, pl * g.h * g.w, taps.length);
      }
}

export function maxPool2dRef(g: PoolGeometry, x: ArrayLike<number>) {
  const m = g.n * g.c * g.ho * g.wo;
  const y = new Float64Array(m).fill(-Infinity);
  const indices = new Int32Array(m).fill(-1);
  forEachWindow(g, (o, k, base) => {
    if (x[base + k] > y[o]) {
      y[o] = x[base + k];
      indices[o] = k;
    }
  });
  return { y, indices };
}

export function maxPool2dBackwardRef(g: PoolGeometry, dy: ArrayLike<number>, indices: ArrayLike<number>) {
  const dx = new Float64Array(g.n * g.c * g.h * g.w);
  for (let o = 0; o < dy.length; o++) dx[Math.floor(o / (g.ho * g.wo)) * g.h * g.w + indices[o]] += dy[o];
  return dx;
}

export function avgPool2dRef(g: PoolGeometry, x: ArrayLike<number>, countIncludePad = true) {
  const y = new Float64Array(g.n * g.c * g.ho * g.wo);
  forEachWindow(g, (o, k, base, count) => {
    y[o] += x[base + k] / (countIncludePad ? g.kh * g.kw : count);
  });
  return y;
}

export function avgPool2dBackwardRef(g: PoolGeometry, dy: ArrayLike<number>, countIncludePad = true) {
  const dx = new Float64Array(g.n * g.c * g.h * g.w);
  forEachWindow(g, (o, k, base, count) => {
    dx[base + k] += dy[o] / (countIncludePad ? g.kh * g.kw : count);
  });
  return dx;
}

export function globalAvgPoolRef(x: ArrayLike<number>, planes: number, hw: number) {
  const y = new Float64Array(planes);
  for (let i = 0; i < planes * hw; i++) y[Math.floor(i / hw)] += x[i] / hw;
  return y;
}

export function globalAvgPoolBackwardRef(dy: ArrayLike<number>, planes: number, hw: number) {
  return Float64Array.from({ length: planes * hw }, (_, i) => dy[Math.floor(i / hw)] / hw);
}
