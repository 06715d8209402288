// CPU reference for upsample.wgsl in float64: PyTorch's F.interpolate (align_corners = False) as
// it is written there, with float source coordinates; the backward scatters each dy into its taps
// (the kernel gathers), so the two are independent formulations of one linear map.
import type { UpsampleMode } from './upsample.js';

/** Taps (i0, i1) and the weight λ of i1 for output o along a side of nIn → nOut. */
export function upsampleTaps(mode: UpsampleMode, o: number, nIn: number, nOut: number): [number, number, number] {
  if (mode === 'nearest') {
    const i = Math.floor((o * nIn) / nOut);
    return [i, i, 0];
  }
  const s = Math.max(((o + 0.5) * nIn) / nOut - 0.5, 0);
  const i0 = Math.floor(s);
  return [i0, Math.min(i0 + 1, nIn - 1), s - i0];
}

/** x (N, C, H, W) → (N, C, Ho, Wo). */
export function upsample2dRef(x: ArrayLike<number>, xShape: readonly number[], size: readonly [number, number], mode: UpsampleMode): Float64Array {
  const [n, c, h, w] = xShape;
  const [ho, wo] = size;
  const y = new Float64Array(n * c * ho * wo);
  for (let p = 0; p < n * c; p++) {
    for (let oy = 0; oy < ho; oy++) {
      const [y0, y1, ly] = upsampleTaps(mode, oy, h, ho);
      for (let ox = 0; ox < wo; ox++) {
        const [x0, x1, lx] = upsampleTaps(mode, ox, w, wo);
        const at = (r: number, q: number) => x[p * h * w + r * w + q];
        const top = (1 - lx) * at(y0, x0) + lx * at(y0, x1);
        const bottom = (1 - lx) * at(y1, x0) + lx * at(y1, x1);
        y[(p * ho + oy) * wo + ox] = (1 - ly) * top + ly * bottom;
      }
    }
  }
  return y;
}

/** dx (N, C, H, W) from dy (N, C, Ho, Wo): every dy element added into its four taps. */
export function upsample2dBackwardRef(dy: ArrayLike<number>, xShape: readonly number[], size: readonly [number, number], mode: UpsampleMode): Float64Array {
  const [n, c, h, w] = xShape;
  const [ho, wo] = size;
  const dx = new Float64Array(n * c * h * w);
  for (let p = 0; p < n * c; p++) {
    for (let oy = 0; oy < ho; oy++) {
      const [y0, y1, ly] = upsampleTaps(mode, oy, h, ho);
      for (let ox = 0; ox < wo; ox++) {
        const [x0, x1, lx] = upsampleTaps(mode, ox, w, wo);
        const g = dy[(p * ho + oy) * wo + ox];
        const add = (r: number, q: number, wt: number) => { dx[p * h * w + r * w + q] += wt * g; };
        add(y0, x0, (1 - ly) * (1 - lx));
        add(y0, x1, (1 - ly) * lx);
        add(y1, x0, ly * (1 - lx));
        add(y1, x1, ly * lx);
      }
    }
  }
  return dx;
}
