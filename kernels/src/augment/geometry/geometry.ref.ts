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

/** (N, G², C, TH, TW) tiles, tile t of sample n = cell perms[labels[n]][t]. */
export function jigsawRef(x: ArrayLike<number>, shape: readonly number[], g: number, perms: ArrayLike<number>, labels: ArrayLike<number>): Float64Array {
  const [n, c, h, w] = shape;
  const [th, tw] = [Math.floor(h / g), Math.floor(w / g)];
  const out = new Float64Array(n * g * g * c * th * tw);
  let o = 0;
  for (let s = 0; s < n; s++) for (let t = 0; t < g * g; t++) {
    const cell = perms[labels[s] * g * g + t];
    const [cy, cx] = [Math.floor(cell / g) * th, (cell % g) * tw];
    for (let ch = 0; ch < c; ch++) for (let r = 0; r < th; r++) for (let col = 0; col < tw; col++) {
      out[o++] = x[((s * c + ch) * h + cy + r) * w + cx + col];
    }
  }
  return out;
}

/** (N, 2, C, P, P): the P×P patches at origins (cy, cx) and (ny, nx) of each sample. */
export function patchesRef(x: ArrayLike<number>, shape: readonly number[], size: number, origins: ArrayLike<number>): Float64Array {
  const [n, c, h, w] = shape;
  const out = new Float64Array(n * 2 * c * size * size);
  let o = 0;
  for (let s = 0; s < n; s++) for (let which = 0; which < 2; which++) {
    const [oy, ox] = [origins[4 * s + 2 * which], origins[4 * s + 2 * which + 1]];
    for (let ch = 0; ch < c; ch++) for (let r = 0; r < size; r++) for (let col = 0; col < size; col++) {
      out[o++] = x[((s * c + ch) * h + oy + r) * w + ox + col];
    }
  }
  return out;
}
