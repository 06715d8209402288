// Helpers shared by every kernel and op test: a real adapter or a loud failure, seeded random
// inputs, NaN-poisoned outputs, and relative error against a float64 reference.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getGpu, type Gpu } from './gpu.js';
import { NO_ADAPTER_HELP } from './adapter.js';
import { Autotuner } from './autotune.js';
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

/**
 * The values property tests draw inputs from, by kind: ordinary (|x| ~ 1), huge (±1e30), subnormal
 * (|x| < 1.18e-38, which an adapter may flush to zero), and signed zeros. `pick(u, v)` maps two
 * uniforms in [0, 1) to one such value.
 */
export const VALUE_KINDS = {
  ordinary: (u: number, v: number) => (2 * u - 1) * 3 * (0.1 + v),
  huge: (u: number, v: number) => (u < 0.5 ? -1 : 1) * 1e30 * (1 + v),
  subnormal: (u: number, v: number) => (u < 0.5 ? -1 : 1) * 1e-40 * (1 + 100 * v),
  zero: (u: number) => (u < 0.5 ? -0 : 0),
} as const;
export type ValueKind = keyof typeof VALUE_KINDS;
export const VALUE_KIND_NAMES = Object.keys(VALUE_KINDS) as ValueKind[];

/** n values of the given kinds, uniformly mixed, `nans` of them (at random places) NaN; seeded. */
export function extremeValues(n: number, kinds: readonly ValueKind[], nans: number, seed: number): Float32Array {
  const r = rng(seed);
  const x = Float32Array.from({ length: n }, () => VALUE_KINDS[kinds[Math.floor(r() * kinds.length)]](r(), r()));
  for (let k = 0; k < nans; k++) x[Math.floor(r() * n)] = Number.NaN;
  return x;
}

/**
 * `got` (f32 from a kernel) against `want` (the float64 reference): where the reference is NaN the
 * kernel must give NaN too (a NaN input is reported through the output, never turned into a number),
 * where it is ±∞ the same ∞, elsewhere |got − want| ≤ bound(i) + 1e-37 (the slack is for subnormals
 * an adapter flushes to zero). Returns the first mismatch as a message, or undefined.
 */
export function mismatch(got: ArrayLike<number>, want: ArrayLike<number>, bound: (i: number) => number): string | undefined {
  if (got.length !== want.length) return `length ${got.length}, want ${want.length}`;
  for (let i = 0; i < want.length; i++) {
    const [g, w] = [got[i], want[i]];
    if (Number.isNaN(w)) {
      if (!Number.isNaN(g)) return `[${i}]: ${g}, want NaN (a NaN input must show in the output)`;
    } else if (!Number.isFinite(w) || Math.abs(w) > 3.4028234663852886e38) {
      const inf = w > 0 ? Infinity : -Infinity;
      if (g !== inf) return `[${i}]: ${g}, want ${inf}`;
    } else if (!(Math.abs(g - w) <= bound(i) + 1e-37)) return `[${i}]: ${g}, want ${w} (bound ${bound(i)})`;
  }
  return undefined;
}

/**
 * Runs `f` with the autotuner switched on over a fresh temp cache file (warnings collected);
 * `reopen()` starts a new tuner on the same file, as the next process would. Restores the Gpu's own.
 */
export async function withTestTuner(gpu: Gpu, f: (t: { path: string; warnings: string[]; reopen(): void }) => Promise<void>): Promise<void> {
  const path = join(mkdtempSync(join(tmpdir(), 'pretext-tune-')), 'tune.json');
  const warnings: string[] = [];
  const saved = gpu.tuner;
  const reopen = () => {
    gpu.tuner = new Autotuner(gpu, { enabled: true, adapter: gpu.info.description, path, warn: (m) => warnings.push(m) });
  };
  reopen();
  try {
    await f({ path, warnings, reopen });
  } finally {
    gpu.tuner = saved;
  }
}
