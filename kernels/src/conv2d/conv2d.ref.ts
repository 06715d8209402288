// CPU reference for conv2d forward and backward, direct loops in float64.
import type { Conv2dGeometry } from './conv2d.js';

/** Calls f(y index, x index, w index) for every weight tap that lands inside the image. */
function forEachTap(g: Conv2dGeometry, f: (yi: number, xi: number, wi: number) => void): void {
  for (let n = 0; n < g.n; n++)
    for (let co = 0; co < g.cout; co++) {
      const grp = Math.floor(co / g.coutG);
      for (let oh = 0; oh < g.ho; oh++)
        for (let ow = 0; ow < g.wo; ow++) {
          const yi = ((n * g.cout + co) * g.ho + oh) * g.wo + ow;
          for (let c = 0; c < g.cinG; c++) {
            const ci = grp * g.cinG + c;
            for (let kh = 0; kh < g.kh; kh++) {
              const ih = oh * g.sh - g.ph + kh * g.dh;
              if (ih < 0 || ih >= g.h) continue;
              for (let kw = 0; kw < g.kw; kw++) {
                const iw = ow * g.sw - g.pw + kw * g.dw;
                if (iw < 0 || iw >= g.w) continue;
                f(yi, ((n * g.cin + ci) * g.h + ih) * g.w + iw, ((co * g.cinG + c) * g.kh + kh) * g.kw + kw);
              }
            }
          }
        }
    }
}

/** y = conv2d(x, w) + bias, (N, Cout, Ho, Wo) flattened. */
export function conv2dRef(g: Conv2dGeometry, x: ArrayLike<number>, w: ArrayLike<number>, bias?: ArrayLike<number> | null): Float64Array {
  const y = new Float64Array(g.n * g.cout * g.ho * g.wo);
  if (bias) for (let i = 0; i < y.length; i++) y[i] = bias[Math.floor(i / (g.ho * g.wo)) % g.cout];
  forEachTap(g, (yi, xi, wi) => {
    y[yi] += x[xi] * w[wi];
  });
  return y;
}

/** dx, dw, db of L = Σ dy·y (the analytic transposes of the forward sum). */
export function conv2dBackwardRef(g: Conv2dGeometry, dy: ArrayLike<number>, x: ArrayLike<number>, w: ArrayLike<number>) {
  const dx = new Float64Array(g.n * g.cin * g.h * g.w);
  const dw = new Float64Array(g.cout * g.cinG * g.kh * g.kw);
  const db = new Float64Array(g.cout);
  forEachTap(g, (yi, xi, wi) => {
    dx[xi] += dy[yi] * w[wi];
    dw[wi] += dy[yi] * x[xi];
  });
  for (let i = 0; i < dy.length; i++) db[Math.floor(i / (g.ho * g.wo)) % g.cout] += dy[i];
  return { dx, dw, db };
}
