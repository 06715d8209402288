// CPU twin of dropout.wgsl: the same mask bit for bit (Threefry from @pretext/random; p compared as
// the f32 the kernel sees), values in float64.
import { rand2 } from '@pretext/random';

/** keep[i] = 1 where element i survives: u_i ≥ p, u_{2k}, u_{2k+1} = rand2(seed, stream, k, 0). */
export function dropoutMaskRef(n: number, p: number, seed: number, stream = 0): Uint8Array {
  const pf = Math.fround(p);
  const keep = new Uint8Array(n);
  for (let k = 0; 2 * k < n; k++) {
    const [a, b] = rand2(seed, stream, k, 0);
    keep[2 * k] = a >= pf ? 1 : 0;
    if (2 * k + 1 < n) keep[2 * k + 1] = b >= pf ? 1 : 0;
  }
  return keep;
}

/** y = x · keep / (1 − p) (zeros when p = 1); also the backward, with dy for x. */
export function dropoutRef(x: ArrayLike<number>, p: number, seed: number, stream = 0): Float64Array {
  const keep = dropoutMaskRef(x.length, p, seed, stream);
  const scale = p === 1 ? 0 : 1 / (1 - p);
  return Float64Array.from(x, (v, i) => (keep[i] ? v * scale : 0));
}
