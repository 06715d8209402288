// CPU reference for fma.wgsl (float64): outputs i ∈ [first, first + count) of fmaCeiling.
// (The copy kernel's reference is the input itself.)

export function fmaCeilingRef(count: number, iters: number, opts: { m?: number; c?: number; first?: number } = {}): Float64Array {
  const { m = 0.999, c = 0.001, first = 0 } = opts;
  const out = new Float64Array(count);
  for (let o = 0; o < count; o++) {
    const i = first + o;
    let sum = 0;
    // 8 chains × 4 lanes, lane start ((i·8 + k)·4 + j mod 997) / 997
    for (let lane = 0; lane < 32; lane++) {
      let a = ((i * 32 + lane) % 997) / 997;
      for (let t = 0; t < iters; t++) a = a * m + c;
      sum += a;
    }
    out[o] = sum;
  }
  return out;
}
