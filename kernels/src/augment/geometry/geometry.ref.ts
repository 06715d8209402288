// CPU references for geometry.wgsl: the same gathers written directly.

/** torch.rot90(x[n], k[n], dims = (-2, -1)) for square (N, C, H, H) images. */
export function rot90Ref(x: ArrayLike<number>, shape: readonly number[], k: ArrayLike<number>): Float64Array {
  const [n, c, h] = shape;
  const out = new Float64Array(n * c * h * h);
  for (let s = 0; s < n; s++) for (let ch = 0; ch < c; ch++) {
    const base = (s * c + ch) * h * h;
    // rotate one step at a time: after one step y[r][c] = x[c][h−1−r]
    let img = Float64Array.from({ length: h * h }, (_, i) => x[base + i]);
    for (let step = 0; step < (k[s] & 3); step++) {
      const prev = img;
      img = Float64Array.from({ length: h * h }, (_, i) => prev[(i % h) * h + (h - 1 - Math.floor(i / h))]);
    }
    out.set(img, base);
  }
  return out;
}

/** (N, K, C, size, size): the size×size windows of each sample at origins (N, K, 2) = (y, x). */
export function tilesRef(x: ArrayLike<number>, shape: readonly number[], k: number, size: number, origins: ArrayLike<number>): Float64Array {
  const [n, c, h, w] = shape;
  const out = new Float64Array(n * k * c * size * size);
  let o = 0;
  for (let s = 0; s < n; s++) for (let t = 0; t < k; t++) {
    const [oy, ox] = [origins[2 * (s * k + t)], origins[2 * (s * k + t) + 1]];
    for (let ch = 0; ch < c; ch++) for (let r = 0; r < size; r++) for (let col = 0; col < size; col++) {
      out[o++] = x[((s * c + ch) * h + oy + r) * w + ox + col];
    }
  }
  return out;
}
