// CPU reference for softmax.wgsl / softmax_backward.wgsl, float64 throughout.
import type { SoftmaxMaskOpts } from './softmax.js';

export interface SoftmaxRefMask extends Omit<SoftmaxMaskOpts, 'mask'> {
  /** Mask values and shape as in SoftmaxMaskOpts; `additive` says f32 (true) or boolean (false). */
  mask?: { data: ArrayLike<number>; shape: readonly number[]; additive: boolean };
}

/** The masked, scaled logits v (rows × len): −∞ where a key is masked. */
export function maskedLogitsRef(x: ArrayLike<number>, shape: readonly number[], o: SoftmaxRefMask = {}): Float64Array {
  const len = shape[shape.length - 1];
  const rows = x.length / len;
  const tq = shape.length >= 2 ? shape[shape.length - 2] : 1;
  const m = o.mask;
  const maskRows = m && m.shape.length === 2 ? m.shape[0] : 1;
  const v = new Float64Array(x.length);
  for (let r = 0; r < rows; r++) {
    const mrow = Math.floor(r / (rows / maskRows));
    for (let j = 0; j < len; j++) {
      let val = (o.scale ?? 1) * x[r * len + j];
      if (o.causal && j > (r % tq) + (o.causalOffset ?? 0)) val = -Infinity;
      if (m) {
        const a = m.data[mrow * len + j];
        if (m.additive) val += a <= Math.fround(-1e38) ? -Infinity : a; // as the kernel: ≤ f32(−1e38) is masked
        else if (a === 0) val = -Infinity;
      }
      v[r * len + j] = val;
    }
  }
  return v;
}

export function softmaxRef(x: ArrayLike<number>, shape: readonly number[], o: SoftmaxRefMask = {}, log = false): Float64Array {
  const len = shape[shape.length - 1];
  const v = maskedLogitsRef(x, shape, o);
  const y = new Float64Array(v.length);
  for (let r = 0; r < v.length / len; r++) {
    const row = v.subarray(r * len, (r + 1) * len);
    const m = Math.max(...row);
    if (m === -Infinity) continue; // fully masked: zeros
    let s = 0;
    for (const a of row) s += Math.exp(a - m);
    for (let j = 0; j < len; j++) y[r * len + j] = log ? row[j] - m - Math.log(s) : Math.exp(row[j] - m) / s;
  }
  return y;
}

/** dx = ∂loss/∂x for y = (log_)softmax(scale·x + mask), from the masked logits (independent of y's encoding). */
export function softmaxGradRef(x: ArrayLike<number>, shape: readonly number[], o: SoftmaxRefMask, dy: ArrayLike<number>, log = false): Float64Array {
  const len = shape[shape.length - 1];
  const v = maskedLogitsRef(x, shape, o);
  const p = softmaxRef(x, shape, o, false);
  const scale = o.scale ?? 1;
  const dx = new Float64Array(v.length);
  for (let r = 0; r < v.length / len; r++) {
    let g = 0;
    for (let j = r * len; j < (r + 1) * len; j++) if (v[j] !== -Infinity) g += log ? dy[j] : dy[j] * p[j];
    for (let j = r * len; j < (r + 1) * len; j++) {
      if (v[j] === -Infinity) continue; // masked key, or a fully masked row: y does not depend on x_j
      dx[j] = scale * (log ? dy[j] - p[j] * g : p[j] * (dy[j] - g));
    }
  }
  return dx;
}
