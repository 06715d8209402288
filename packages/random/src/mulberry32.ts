// A small seeded PRNG for host-side choices (shuffles, subsets, figure samples, test inputs),
// where one sequential stream is enough; per-element draws that must match the GPU use
// threefry.ts instead.

/** mulberry32 (T. Ettinger, 2017): a seeded generator of floats in [0, 1) (32 bits of state). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
