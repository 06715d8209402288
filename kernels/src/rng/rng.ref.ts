// CPU twin of rng.wgsl, bit for bit: Threefry-2x32-20 with key (seed, stream), counter (index, draw).

const ROT = [13, 15, 26, 6, 17, 29, 16, 24];

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
    x0 = (x0 + ks[(block + 1) % 3]) >>> 0;
    x1 = (x1 + ks[(block + 2) % 3] + block + 1) >>> 0;
  }
  return [x0, x1];
}

export const u32ToUnit = (u: number): number => (u >>> 8) / 16777216;

export function rand2Ref(seed: number, stream: number, index: number, draw: number): [number, number] {
  const [a, b] = threefry2x32(seed, stream, index, draw);
  return [u32ToUnit(a), u32ToUnit(b)];
}

export function randn1Ref(seed: number, stream: number, index: number, draw: number): number {
  const [u, v] = rand2Ref(seed, stream, index, draw);
  return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
}

export function randomRef(dist: 'uniform' | 'normal', n: number, seed: number, stream: number, a: number, b: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => (dist === 'uniform' ? a + (b - a) * rand2Ref(seed, stream, i, 0)[0] : a + b * randn1Ref(seed, stream, i, 0)));
}
