// CPU reference for lab.wgsl in float64 (skimage.color.rgb2lab / lab2rgb, D65, 2° observer).
import { labToRgbPixel, rgbToLabPixel } from './lab-pixel.js';

/** Converts (N, 3, H, W) planar images pixel by pixel. */
export function labRef(x: ArrayLike<number>, shape: readonly number[], dir: 'toLab' | 'toRgb'): Float64Array {
  const [n, , h, w] = shape;
  const hw = h * w;
  const out = new Float64Array(n * 3 * hw);
  const px = dir === 'toLab' ? rgbToLabPixel : labToRgbPixel;
  for (let s = 0; s < n; s++) for (let i = 0; i < hw; i++) {
    const b = s * 3 * hw + i;
    const r = px(x[b], x[b + hw], x[b + 2 * hw]);
    out[b] = r[0];
    out[b + hw] = r[1];
    out[b + 2 * hw] = r[2];
  }
  return out;
}
