// CPU reference of rng.wgsl (randomUniform, randomNormal): the same draws, from @pretext/random,
// the RNG's host side (bit for bit the Threefry of rng.inc.wgsl), mapped in float64.
import { rand2, randn1 } from '@pretext/random';

export function randomRef(dist: 'uniform' | 'normal', n: number, seed: number, stream: number, a: number, b: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => (dist === 'uniform' ? a + (b - a) * rand2(seed, stream, i, 0)[0] : a + b * randn1(seed, stream, i, 0)));
}
