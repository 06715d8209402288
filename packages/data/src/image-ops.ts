// Pixels → the tensor layout the encoders take: RGBA 8-bit (any size) → (C, S, S) f32 in [0, 1].
// Alpha is composited on white (as the emoji are); C = 1 takes luma (ITU-R 601: 0.299 R +
// 0.587 G + 0.114 B); the shorter side is scaled to S and the centre cropped (torchvision's
// Resize + CenterCrop). Shrinking averages the source area under each output pixel (no aliasing),
// enlarging interpolates bilinearly; both are separable.

/** Per output index: the source indices it reads and their weights (summing to 1). */
interface Taps {
  start: Int32Array;
  count: Int32Array;
  weights: Float32Array;
  /** Weights per output index (the widest tap). */
  stride: number;
}

/** Resampling weights from source span [offset, offset + span) of a side onto `out` pixels. */
function taps(srcLen: number, offset: number, span: number, out: number): Taps {
  const scale = span / out; // source pixels per output pixel
  const stride = scale > 1 ? Math.ceil(scale) + 2 : 2;
  const t: Taps = { start: new Int32Array(out), count: new Int32Array(out), weights: new Float32Array(out * stride), stride };
  for (let i = 0; i < out; i++) {
    const w = t.weights.subarray(i * stride, (i + 1) * stride);
    if (scale > 1) {
      // area: source pixel k covers [k, k + 1); output i covers [lo, hi)
      const lo = offset + i * scale;
      const hi = lo + scale;
      const k0 = Math.floor(lo);
      let n = 0;
      for (let k = k0; k < Math.min(hi, srcLen) && n < stride; k++, n++) w[n] = (Math.min(hi, k + 1) - Math.max(lo, k)) / scale;
      t.start[i] = k0;
      t.count[i] = n;
    } else {
      // bilinear at the output pixel's centre, clamped at the edges
      const x = Math.min(Math.max(offset + (i + 0.5) * scale - 0.5, 0), srcLen - 1);
      const k0 = Math.min(Math.floor(x), srcLen - 2 < 0 ? 0 : srcLen - 2);
      const f = srcLen === 1 ? 0 : x - k0;
      w[0] = 1 - f;
      w[1] = f;
      t.start[i] = k0;
      t.count[i] = srcLen === 1 ? 1 : 2;
    }
  }
  return t;
}

/**
 * RGBA pixels (h × w × 4, 8-bit) → (channels, size, size) f32 in [0, 1], written into `out` at
 * `at` (channels 1: luma; 3: RGB). Alpha composited on white; shorter side → size, centre crop.
 */
export function rgbaToChw(rgba: Uint8Array, w: number, h: number, size: number, channels: 1 | 3, out: Float32Array, at = 0): void {
  if (rgba.length !== w * h * 4) throw new RangeError(`rgbaToChw: ${w}×${h} RGBA needs ${w * h * 4} bytes, got ${rgba.length}`);
  // composite on white, to channel planes   (C, h, w)
  const planes = new Float32Array(channels * h * w);
  for (let p = 0; p < h * w; p++) {
    const a = rgba[4 * p + 3] / 255;
    const r = (rgba[4 * p] / 255) * a + (1 - a);
    const g = (rgba[4 * p + 1] / 255) * a + (1 - a);
    const b = (rgba[4 * p + 2] / 255) * a + (1 - a);
    if (channels === 1) planes[p] = 0.299 * r + 0.587 * g + 0.114 * b;
    else {
      planes[p] = r;
      planes[h * w + p] = g;
      planes[2 * h * w + p] = b;
    }
  }
  // the centred square of side min(w, h), resampled to size × size: rows then columns
  const side = Math.min(w, h);
  const tx = taps(w, (w - side) / 2, side, size);
  const ty = taps(h, (h - side) / 2, side, size);
  const rows = new Float32Array(h * size);
  for (let c = 0; c < channels; c++) {
    const src = planes.subarray(c * h * w, (c + 1) * h * w);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < size; x++) {
        let s = 0;
        for (let k = 0; k < tx.count[x]; k++) s += tx.weights[x * tx.stride + k] * src[y * w + tx.start[x] + k];
        rows[y * size + x] = s;
      }
    }
    const dst = out.subarray(at + c * size * size, at + (c + 1) * size * size);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        let s = 0;
        for (let k = 0; k < ty.count[y]; k++) s += ty.weights[y * ty.stride + k] * rows[(ty.start[y] + k) * size + x];
        dst[y * size + x] = Math.min(1, Math.max(0, s));
      }
    }
  }
}
