// The adapter's own yardsticks: a pure-FMA kernel (GFLOP/s ceiling) and a vec4 copy kernel
// (GB/s ceiling). The bench measures both in the same run and reports every kernel as a
// fraction of them; on lavapipe they are far below the CPU's physical peak.
import { check, checkArray, checkBinding, checkNonEmpty, type Gpu, type GpuArray, grid1d, numel, outArray, params } from '@pretext/gpu';
import copySource from './copy.wgsl.js';
import fmaSource from './fma.wgsl.js';

/** FLOPs one invocation does per loop iteration: 8 vec4 chains × 4 lanes × (mul + add). */
export const FMA_FLOPS_PER_ITER = 64;

export interface FmaCeilingOptions {
  /** Invocations (outputs), ≥ 1. */
  n: number;
  /** Loop iterations per invocation, ≥ 1. */
  iters: number;
  /** a ← a·m + c; |m| < 1 keeps the chains bounded (fixed point c / (1 − m)). */
  m?: number;
  c?: number;
  /** Use WGSL fma() instead of a*m+c. */
  fused?: boolean;
  out?: GpuArray;
}

/** y[i] = Σ over 8 chains × 4 lanes of the chain value after `iters` steps of a ← a·m + c. */
export function fmaCeiling(gpu: Gpu, opts: FmaCeilingOptions): GpuArray {
  const { n, iters, m = 0.999, c = 0.001, fused = false } = opts;
  const kernel = fused ? 'ceiling.fma' : 'ceiling.mad';
  check(Number.isInteger(n) && n >= 1, kernel, 'n', () => `must be a positive integer, got ${n}`);
  check(Number.isInteger(iters) && iters >= 1 && iters < 2 ** 32, kernel, 'iters', () => `must be a positive 32-bit integer, got ${iters}`);
  // start() indexes (i·8 + k)·4 + j in u32
  check(n * 32 < 2 ** 32, kernel, 'n', () => `${n} invocations overflow the u32 lane index (max ${2 ** 27 - 1})`);
  const out = outArray(gpu, kernel, [n], opts.out, { flat: true });
  gpu.dispatch({
    kernel,
    pipeline: gpu.pipeline(kernel, fmaSource, { FUSED: fused ? 1 : 0 }),
    params: params().u32(n).u32(iters).f32(m).f32(c).bytes,
    buffers: [out],
    workgroups: grid1d(Math.ceil(n / 64), gpu.limits.maxComputeWorkgroupsPerDimension),
    flops: n * iters * FMA_FLOPS_PER_ITER,
    bytes: n * 4,
  });
  return out;
}

/** y = x, moved as vec4s; bytes = 2 · 16 · ⌈n/4⌉ (read + write). */
export function copyCeiling(gpu: Gpu, x: GpuArray, opts: { out?: GpuArray } = {}): GpuArray {
  const kernel = 'ceiling.copy';
  checkNonEmpty(kernel, 'x', x.shape);
  const n = numel(x.shape);
  const n4 = Math.ceil(n / 4);
  checkArray(gpu, kernel, 'x', x);
  checkBinding(gpu, kernel, 'x', 4 * n4); // read as ⌈n/4⌉ vec4s
  check(x.buffer.size - (x.offset ?? 0) >= n4 * 16, kernel, 'x', () => `buffer of ${x.buffer.size} bytes holds fewer than ⌈${n}/4⌉ vec4s`);
  const out = outArray(gpu, kernel, x.shape, opts.out, { flat: true });
  check(out.buffer.size - (out.offset ?? 0) >= n4 * 16, kernel, 'out', () => `buffer of ${out.buffer.size} bytes holds fewer than ⌈${n}/4⌉ vec4s`);
  gpu.dispatch({
    kernel,
    pipeline: gpu.pipeline(kernel, copySource),
    params: params().u32(n4).bytes,
    buffers: [x, out],
    workgroups: grid1d(Math.ceil(n4 / 256), gpu.limits.maxComputeWorkgroupsPerDimension),
    flops: 0,
    bytes: 2 * 16 * n4,
  });
  return out;
}

/**
 * The adapter's ceilings now: the best of `reps` runs each of both FMA variants (GFLOP/s) and of the
 * copy (GB/s, read + written), by GPU timestamps; null without them. The passes it times are taken
 * back out of the profiler, so a profile being recorded keeps only the caller's work.
 * Napkin math: 16384 × 256 iters × 64 FLOPs = 0.27 GFLOP per FMA run; copy 4 Mi floats = 32 MiB moved.
 */
export async function measureCeilings(gpu: Gpu, reps = 3): Promise<{ fmaGflops: number; copyGbps: number } | null> {
  const prof = gpu.profiler;
  if (!prof.enabled) return null;
  await gpu.sync();
  const [records, host] = [prof.records.length, prof.host.length];
  const fmaOut = gpu.empty([16384]);
  const x = gpu.empty([1 << 22]);
  const copyOut = gpu.empty([1 << 22]);
  try {
    for (let i = 0; i < reps; i++) {
      fmaCeiling(gpu, { n: 16384, iters: 256, out: fmaOut });
      fmaCeiling(gpu, { n: 16384, iters: 256, fused: true, out: fmaOut });
      copyCeiling(gpu, x, { out: copyOut });
      await gpu.sync();
    }
    const mine = prof.records.slice(records);
    const best = (pick: (r: (typeof mine)[number]) => number) => Math.max(0, ...mine.filter((r) => r.end > r.start).map((r) => pick(r) / (r.end - r.start)));
    return { fmaGflops: best((r) => (r.kernel === 'ceiling.copy' ? 0 : r.flops)), copyGbps: best((r) => (r.kernel === 'ceiling.copy' ? r.bytes : 0)) };
  } finally {
    prof.records.length = records;
    prof.host.length = host;
    for (const a of [fmaOut, x, copyOut]) gpu.free(a);
  }
}
