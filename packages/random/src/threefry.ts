// Counter-based RNG, host side: Threefry-2x32 with 20 rounds (Salmon et al. 2011, "Parallel
// random numbers: as easy as 1, 2, 3"; the generator of JAX). Stateless: key (seed, stream) and
// counter (index, draw) → two u32, so any draw of any element is reproducible in any order.
// kernels/src/rng/rng.wgsl is the GPU side, bit for bit: what the host draws here (augmentation
// parameters) and what a kernel draws there (dropout masks, random init) are the same numbers.

const ROT = [13, 15, 26, 6, 17, 29, 16, 24];

/** Threefry-2x32-20 of counter (c0, c1) under key (k0, k1); all u32. */
export function threefry2x32(k0: number, k1: number, c0: number, c1: number): [number, number] {
  const ks = [k0 >>> 0, k1 >>> 0, (0x1bd11bda ^ k0 ^ k1) >>> 0];
  let x0 = (c0 + ks[0]) >>> 0;
  let x1 = (c1 + ks[1]) >>> 0;
  for (let block = 0; block < 5; block++) {
    for (let r = 0; r < 4; r++) {
      x0 = (x0 + x1) >>> 0;
      const s = ROT[(block % 2) * 4 + r];
      x1 = ((x1 << s) | (x1 >>> (32 - s))) >>> 0;
      x1 = (x1 ^ x0) >>> 0;
    }
    // key injection after every 4 rounds
    x0 = (x0 + ks[(block + 1) % 3]) >>> 0;
    x1 = (x1 + ks[(block + 2) % 3] + block + 1) >>> 0;
  }
  return [x0, x1];
}

/** A u32 → uniform in [0, 1) with its top 24 bits (exact in f32, as the shader computes it). */
export const u32ToUnit = (u: number): number => (u >>> 8) / 16777216;

/** Two independent uniforms in [0, 1) for element `index`, draw `draw` (rng.wgsl's rand2). */
export function rand2(seed: number, stream: number, index: number, draw: number): [number, number] {
  const [a, b] = threefry2x32(seed, stream, index, draw);
  return [u32ToUnit(a), u32ToUnit(b)];
}

/** A standard normal by Box–Muller on one Threefry block (rng.wgsl's randn1). */
export function randn1(seed: number, stream: number, index: number, draw: number): number {
  const [u, v] = rand2(seed, stream, index, draw);
  return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
}
