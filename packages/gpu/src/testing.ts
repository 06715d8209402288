// Helpers shared by every kernel and op test: a real adapter or a loud failure, seeded random
// inputs, NaN-poisoned outputs, and relative error against a float64 reference.
import { getGpu, type Gpu } from './gpu.js';
import { NO_ADAPTER_HELP } from './adapter.js';
import { rng } from '@pretext/random';

// re-exported for tests: seeded inputs come from the one host PRNG (@pretext/random)
export { rng };

/** The process-wide Gpu; with no adapter the test fails with what to install (never skips). */
export async function testGpu(): Promise<Gpu> {
  try {
    return await getGpu();
  } catch (e) {
    throw new Error(`kernel tests need a WebGPU adapter.\n${NO_ADAPTER_HELP}\n(cause: ${(e as Error).message})`);
  }
}

/** n standard-normal floats (Box–Muller), scaled by `std`. */
export function randn(n: number, seed: number, std = 1): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = 1 - r();
    out[i] = std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
  }
  return out;
}

/** n uniform floats in [lo, hi). */
export function randu(n: number, seed: number, lo = 0, hi = 1): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
}

/** A fresh seed per call, printed on failure through the test name or message. */
export function freshSeed(): number {
  return (Math.random() * 2 ** 31) >>> 0;
}

/** max |a − b| / max(max |b|, tiny): one number per comparison, the way llm.c reports it. */
export function relErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  if (got.length !== want.length) throw new Error(`length mismatch: got ${got.length}, want ${want.length}`);
  let num = 0;
  let den = 0;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i] - want[i]);
    if (!(d <= num)) num = Number.isNaN(d) ? Number.POSITIVE_INFINITY : Math.max(num, d);
    den = Math.max(den, Math.abs(want[i]));
  }
  return num / Math.max(den, 1e-30);
}

/** max |got − want|; NaN in got counts as infinitely wrong. For values whose error bound is absolute (near zero). */
export function absErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  if (got.length !== want.length) throw new Error(`length mismatch: got ${got.length}, want ${want.length}`);
  let m = 0;
  for (let i = 0; i < want.length; i++) m = Math.max(m, Number.isNaN(got[i]) ? Number.POSITIVE_INFINITY : Math.abs(got[i] - want[i]));
  return m;
}

/** A buffer of `bytes` filled with NaN, so a kernel that skips an output element is caught. */
export function poisoned(gpu: Gpu, shape: readonly number[]): import('./array.js').GpuArray {
  const n = shape.reduce((a, b) => a * b, 1);
  return gpu.upload(new Float32Array(n).fill(Number.NaN), shape, 'poisoned');
}
