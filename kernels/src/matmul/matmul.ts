// Batched matmul C[b] = α · op(A[b]) · op(B[b]) (+ bias) (+ C): validate → pick the variant
// (rows per invocation, workgroup width) → flat tile grid → launch.
import { check, checkArray, type Gpu, type GpuArray, grid1d, numel, outArray, params, shapeString, sizeBucket, specialize, type TuneCandidate } from '@pretext/gpu';
import source from './matmul.wgsl.js';
import sgSource from './matmul_sg.wgsl.js';

export interface MatmulOptions {
  /** A is stored (…, K, M) and used transposed. */
  transA?: boolean;
  /** B is stored (…, N, K) and used transposed. */
  transB?: boolean;
  /** Scale on the product (not on bias or the accumulated C). Default 1. */
  alpha?: number;
  /** (N): added to every row of every batch. */
  bias?: GpuArray;
  /** C += result (gradient accumulation); needs `out`. */
  accumulate?: boolean;
  out?: GpuArray;
  /** The pass's label in the profiler (default 'matmul', 'matmul.tA', 'matmul.tB'), e.g. a conv's GEMM. */
  label?: string;
  /** Run this shader instead of the one matmulVariant picks (tests, the autotuner); it must be able to run the product. */
  variant?: MatmulVariant;
}

export type MatmulVariant = 'sg' | 'tiled' | 'short' | 'narrow';

/** Sizes a launch resolves to: op(A) (batch, M, K), op(B) (batch, K, N), C batchShape + (M, N). */
export interface MatmulShape {
  M: number;
  N: number;
  K: number;
  batch: number;
  batchShape: number[];
  /** Elements between consecutive batches of A / B; 0 when broadcast. */
  strideA: number;
  strideB: number;
}

const KERNEL = 'matmul';
const TN = 4; // columns per invocation (const TN in matmul.wgsl)
const SG_TM = 24; // rows per workgroup (const TM in matmul_sg.wgsl)
const NARROW_N = 16; // the most columns the narrow form of matmul.wgsl computes (its TN)

/**
 * When matmul_sg.wgsl is worth it. Its JIT on lavapipe is slow (about 40–50 s of CPU per
 * transpose variant, once per process; Mesa's shader disk cache keeps it for later processes),
 * so it is used only for products big enough to repay that. All three forms it supports run on
 * it: 1024³ on lavapipe (`pnpm bench --only matmul`, same run, loaded machine), as a fraction of
 * the plain form's speed: transB 0.48 on matmul.wgsl → 0.74 here; transA 1.03 here.
 * Tests lower `sgMinMacs` to reach it with small shapes.
 */
export const matmulTuning = {
  /** batch·M·N·K at or above which the 'sg' variant is used. */
  sgMinMacs: 2 ** 26,
  /** Transpose forms ('nn', 'nt' = transB, 'tn' = transA) allowed to use it. */
  sgVariants: ['nn', 'nt', 'tn'] as string[],
};

/**
 * Which shader runs a product: 'sg' (matmul_sg.wgsl: subgroup-shared A tile, vec4 loads; needs
 * subgroups and 4-aligned dimensions, see that file), else the portable one: matmul.wgsl with 16
 * rows per invocation ('tiled'), or 4 when M ≤ 4 ('short'), or with its lanes along M when
 * N ≤ 16 ('narrow': a 10-class head does not compute 54 dead columns per workgroup;
 * `pnpm bench --only 'matmul head'`). Where both 'sg' and the portable one can run, the
 * autotuner's measured choice when it is on (gpu.tuner), else matmulTuning's thresholds.
 */
export function matmulVariant(gpu: Gpu, s: MatmulShape, transA = false, transB = false): MatmulVariant {
  if (s.M <= 4) return 'short';
  const portable = s.N <= NARROW_N ? 'narrow' : 'tiled';
  const SG = gpu.subgroupWidth();
  const aligned = transA ? !transB && s.M % 4 === 0 && s.N % 4 === 0 : s.K % 4 === 0 && (transB || s.N % 4 === 0);
  if (!SG || !aligned || s.M <= 8) return portable;
  const form = `${transA ? 't' : 'n'}${transB ? 't' : 'n'}`;
  const big = s.batch * s.M * s.N * s.K >= matmulTuning.sgMinMacs;
  const fallback = matmulTuning.sgVariants.includes(form) && big ? 'sg' : portable;
  const key = `matmul.${form}.sg${SG}:b${sizeBucket(s.batch)}:M${sizeBucket(s.M)}:N${sizeBucket(s.N)}:K${sizeBucket(s.K)}`;
  return gpu.tuner.pick(key, ['sg', portable], fallback, () => (['sg', portable] as const).map((v) => tuneCandidate(gpu, s, transA, transB, v))) as MatmulVariant;
}

/** One variant of the product on zero inputs of shape s, for the autotuner. */
function tuneCandidate(gpu: Gpu, s: MatmulShape, transA: boolean, transB: boolean, variant: MatmulVariant): TuneCandidate {
  return {
    name: variant,
    prepare() {
      const a = gpu.empty([s.batch, ...(transA ? [s.K, s.M] : [s.M, s.K])], 'f32', 'matmul.tune.a');
      const b = gpu.empty([s.batch, ...(transB ? [s.N, s.K] : [s.K, s.N])], 'f32', 'matmul.tune.b');
      const out = gpu.empty([s.batch, s.M, s.N], 'f32', 'matmul.tune.c');
      return {
        run: () => void matmul(gpu, a, b, { transA, transB, out, variant }),
        dispose: () => {
          for (const x of [a, b, out]) gpu.free(x);
        },
      };
    },
  };
}

/** Shapes of A and B (with transpose flags) → the product's sizes; throws on mismatch. */
export function matmulShape(aShape: readonly number[], bShape: readonly number[], transA = false, transB = false): MatmulShape {
  const rank = (s: readonly number[]) => s.length;
  check(rank(aShape) >= 2, KERNEL, 'a', () => `must have rank ≥ 2, got ${shapeString(aShape)}`);
  check(rank(bShape) >= 2, KERNEL, 'b', () => `must have rank ≥ 2, got ${shapeString(bShape)}`);
  const [r0, r1] = aShape.slice(-2);
  const [c0, c1] = bShape.slice(-2);
  const [M, Ka] = transA ? [r1, r0] : [r0, r1];
  const [Kb, N] = transB ? [c1, c0] : [c0, c1];
  const desc = (s: readonly number[], t: boolean) => `${shapeString(s)}${t ? ' (transposed)' : ''}`;
  check(Ka === Kb, KERNEL, 'b', () => `inner dimensions differ: a ${desc(aShape, transA)} has K=${Ka}, b ${desc(bShape, transB)} has K=${Kb}`);
  const leadA = aShape.slice(0, -2);
  const leadB = bShape.slice(0, -2);
  const batchA = numel(leadA);
  const batchB = numel(leadB);
  const same = leadA.length === leadB.length && leadA.every((d, i) => d === leadB[i]);
  check(same || batchA === 1 || batchB === 1, KERNEL, 'b', () =>
    `batch dimensions of a ${shapeString(aShape)} and b ${shapeString(bShape)} do not broadcast (equal, or one of them 1)`);
  const batchShape = batchA > 1 ? [...leadA] : batchB > 1 ? [...leadB] : leadA.length >= leadB.length ? [...leadA] : [...leadB];
  const batch = Math.max(batchA, batchB);
  check(M > 0 && N > 0 && Ka > 0 && batch > 0, KERNEL, 'a', () => `empty product: a ${shapeString(aShape)}, b ${shapeString(bShape)}`);
  return { M, N, K: Ka, batch, batchShape, strideA: batchA === 1 ? 0 : M * Ka, strideB: batchB === 1 ? 0 : Ka * N };
}

/** C = α · op(A) · op(B) (+ bias) (+ C), batched with broadcasting; returns C (batch…, M, N). */
export function matmul(gpu: Gpu, a: GpuArray, b: GpuArray, opts: MatmulOptions = {}): GpuArray {
  const { transA = false, transB = false, alpha = 1, bias, accumulate = false } = opts;
  checkArray(gpu, KERNEL, 'a', a);
  checkArray(gpu, KERNEL, 'b', b);
  const s = matmulShape(a.shape, b.shape, transA, transB);
  if (bias) checkArray(gpu, KERNEL, 'bias', bias, [s.N]);
  check(!accumulate || opts.out, KERNEL, 'accumulate', () => 'accumulate: true needs `out` (the C to add to)');
  const out = outArray(gpu, KERNEL, [...s.batchShape, s.M, s.N], opts.out);
  check(out.buffer !== a.buffer && out.buffer !== b.buffer && out.buffer !== bias?.buffer, KERNEL, 'out', () => 'must not share a buffer with a, b or bias');

  const kernel = opts.label ?? `${KERNEL}${transA ? '.tA' : ''}${transB ? '.tB' : ''}`;
  const flops = 2 * s.batch * s.M * s.N * s.K;
  const bytes = 4 * (numel(a.shape) + numel(b.shape) + s.batch * s.M * s.N * (accumulate ? 2 : 1) + (bias ? s.N : 0));
  const variant = opts.variant ?? matmulVariant(gpu, s, transA, transB);
  check(variant !== 'sg' || gpu.subgroupWidth() > 0, KERNEL, 'variant', () => `'sg' needs subgroups of a width matmul_sg.wgsl is written for (${gpu.subgroupSizes ? `the adapter has ${gpu.subgroupSizes.min}..${gpu.subgroupSizes.max}` : 'none here'})`);
  if (variant === 'sg') {
    // matmul_sg.wgsl: one subgroup of SG lanes per workgroup, SG_TM rows × 4·SG columns, vec4 views of A and B
    const SG = gpu.subgroupWidth();
    const tilesN = Math.ceil(s.N / (4 * SG));
    const tilesM = Math.ceil(s.M / SG_TM);
    const tiles = tilesN * tilesM * s.batch;
    const pipeline = gpu.pipeline(KERNEL, sgSource, { SG, TRANS_A: Number(transA), TRANS_B: Number(transB) });
    gpu.dispatch({
      kernel,
      pipeline,
      params: params().u32(s.M).u32(s.N).u32(s.K).u32(tilesN).u32(tilesM).u32(tiles).u32(s.strideA / 4).u32(s.strideB / 4).f32(alpha)
        .u32(Number(!!bias)).u32(Number(accumulate)).bytes,
      buffers: [a, b, bias ?? a, out],
      workgroups: grid1d(tiles, gpu.limits.maxComputeWorkgroupsPerDimension),
      flops,
      bytes,
    });
    return out;
  }
  // matmul.wgsl, a workgroup of WG invocations, each TM rows × TN columns: lanes along N
  // (WG·TN columns per workgroup; TM = 4 for short M, less wasted work), or along M for N ≤ 16
  // (WG·4 rows × 16 columns). Three pipelines in all: each costs seconds to JIT on lavapipe.
  const WG = 16;
  const narrow = variant === 'narrow';
  check(!narrow || s.N <= NARROW_N, KERNEL, 'variant', () => `'narrow' computes at most ${NARROW_N} columns, the product has N = ${s.N}`);
  const slots = narrow ? { TM: 4, TN: NARROW_N, LANES_M: 1 } : { TM: variant === 'short' ? 4 : 16, TN, LANES_M: 0 };
  const tilesN = narrow ? 1 : Math.ceil(s.N / (WG * TN));
  const tilesM = Math.ceil(s.M / (narrow ? WG * slots.TM : slots.TM));
  const tiles = tilesN * tilesM * s.batch;
  const pipeline = gpu.pipeline(KERNEL, specialize(source, slots), { WG });
  gpu.dispatch({
    kernel,
    pipeline,
    params: params().u32(s.M).u32(s.N).u32(s.K).u32(tilesN).u32(tilesM).u32(tiles).u32(s.strideA).u32(s.strideB).f32(alpha)
      .u32(Number(transA)).u32(Number(transB)).u32(Number(!!bias)).u32(Number(accumulate)).bytes,
    buffers: [a, b, bias ?? a, out],
    workgroups: grid1d(tiles, gpu.limits.maxComputeWorkgroupsPerDimension),
    flops,
    bytes,
  });
  return out;
}

