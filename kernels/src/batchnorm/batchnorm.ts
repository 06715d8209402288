// Batch norm for (N, C, H, W) or (N, C): training forward (batch statistics, saves mean and
// invstd, updates running stats in place), eval forward (running stats), training backward;
// optionally fused with a following ReLU (one pass instead of two, forward and backward).
import { ceilDiv, check, checkArray, checkNonEmpty, type Gpu, type GpuArray, grid1d, numel, outArray, params, shapeString } from '@pretext/gpu';
import source from './batchnorm.wgsl.js';
import gapSource from './batchnorm_gap.wgsl.js';
import poolSource from './batchnorm_pool.wgsl.js';
import pool2Source from './batchnorm_pool2.wgsl.js';

const WG = 64;

function dimsOf(gpu: Gpu, kernel: string, x: GpuArray): { n: number; c: number; hw: number } {
  check(x.shape.length === 2 || x.shape.length === 4, kernel, 'x', () => `must be (N, C) or (N, C, H, W), got ${shapeString(x.shape)}`);
  checkNonEmpty(kernel, 'x', x.shape);
  checkArray(gpu, kernel, 'x', x);
  const [n, c, h = 1, w = 1] = x.shape;
  const max = gpu.limits.maxComputeWorkgroupsPerDimension;
  check(c <= max, kernel, 'x', () => `${c} channels exceed maxComputeWorkgroupsPerDimension (${max})`);
  return { n, c, hw: h * w };
}

const PER = 8; // elements per invocation in normalize and backward_dx
const RELU = 2; // flag bit (const RELU in batchnorm.wgsl)
const elementwiseGrid = (gpu: Gpu, n: number) => grid1d(ceilDiv(n, WG * PER), gpu.limits.maxComputeWorkgroupsPerDimension);

export interface BatchnormOptions {
  /** Training: normalise with batch statistics and update the running stats; eval: use them. */
  training: boolean;
  /** y = max(0, batch norm): the ReLU in the same pass. */
  relu?: boolean;
  momentum?: number;
  eps?: number;
  out?: GpuArray;
  outMean?: GpuArray;
  outInvstd?: GpuArray;
}

/**
 * y = (x − mean)·invstd·gamma + beta per channel. Training returns the saved batch mean and
 * invstd (for backward) and updates runningMean/runningVar in place when given.
 */
export function batchnorm(
  gpu: Gpu,
  x: GpuArray,
  gamma: GpuArray,
  beta: GpuArray,
  runningMean: GpuArray | null,
  runningVar: GpuArray | null,
  opts: BatchnormOptions,
): { y: GpuArray; mean?: GpuArray; invstd?: GpuArray } {
  const kernel = `batchnorm${opts.relu ? '_relu' : ''}${opts.training ? '' : '.eval'}`;
  const { n, c, hw } = dimsOf(gpu, kernel, x);
  const { eps, momentum } = checkNormArgs(gpu, kernel, c, gamma, beta, runningMean, runningVar, opts);
  const y = outArray(gpu, kernel, x.shape, opts.out);
  const total = numel(x.shape);
  const normalize = (mean: GpuArray, scale: GpuArray, evalMode: boolean) =>
    gpu.dispatch({
      kernel: `${kernel}.normalize`,
      pipeline: gpu.pipeline('batchnorm.normalize', source, {}, 'normalize'),
      params: params().u32(n).u32(c).u32(hw).f32(eps).f32(momentum).u32((evalMode ? 1 : 0) | (opts.relu ? RELU : 0)).bytes,
      buffers: [x, mean, scale, gamma, beta, y],
      workgroups: elementwiseGrid(gpu, total),
      flops: 4 * total,
      bytes: 4 * (2 * total + 4 * c),
    });
  if (!opts.training) {
    check(runningMean && runningVar, kernel, 'runningMean', () => 'eval mode needs runningMean and runningVar');
    normalize(runningMean, runningVar, true);
    return { y };
  }
  const { mean, invstd } = batchStats(gpu, kernel, x, runningMean && runningVar ? { mean: runningMean, var: runningVar } : null, { n, c, hw }, eps, momentum, opts);
  normalize(mean, invstd, false);
  return { y, mean, invstd };
}

/** Checks a batch norm's per-channel arrays and settings; returns eps and momentum (defaults filled in). */
function checkNormArgs(
  gpu: Gpu,
  kernel: string,
  c: number,
  gamma: GpuArray,
  beta: GpuArray,
  runningMean: GpuArray | null,
  runningVar: GpuArray | null,
  opts: { eps?: number; momentum?: number },
): { eps: number; momentum: number } {
  const eps = opts.eps ?? 1e-5;
  const momentum = opts.momentum ?? 0.1;
  check(eps >= 0 && Number.isFinite(eps), kernel, 'eps', () => `must be finite and ≥ 0, got ${eps}`);
  check(momentum >= 0 && momentum <= 1, kernel, 'momentum', () => `must be in [0, 1], got ${momentum}`);
  checkArray(gpu, kernel, 'gamma', gamma, [c]);
  checkArray(gpu, kernel, 'beta', beta, [c]);
  check((runningMean === null) === (runningVar === null), kernel, 'runningVar', () => 'runningMean and runningVar come together (both or neither)');
  if (runningMean) checkArray(gpu, kernel, 'runningMean', runningMean, [c]);
  if (runningVar) checkArray(gpu, kernel, 'runningVar', runningVar, [c]);
  return { eps, momentum };
}

/** The training statistics: saved batch mean and invstd, running stats updated in place when given. */
function batchStats(
  gpu: Gpu,
  kernel: string,
  x: GpuArray,
  running: { mean: GpuArray; var: GpuArray } | null,
  { n, c, hw }: { n: number; c: number; hw: number },
  eps: number,
  momentum: number,
  opts: { outMean?: GpuArray; outInvstd?: GpuArray },
): { mean: GpuArray; invstd: GpuArray } {
  check(n * hw > 1, kernel, 'x', () => `training needs more than 1 value per channel, got ${shapeString(x.shape)}`);
  const mean = outArray(gpu, kernel, [c], opts.outMean, { name: 'outMean' });
  const invstd = outArray(gpu, kernel, [c], opts.outInvstd, { name: 'outInvstd' });
  // without running stats the shader skips the update; it still needs two distinct buffers bound
  const scratch = running ? null : [gpu.empty([c], 'f32', 'batchnorm.unused'), gpu.empty([c], 'f32', 'batchnorm.unused')];
  const total = n * c * hw;
  gpu.dispatch({
    kernel: 'batchnorm.stats',
    pipeline: gpu.pipeline('batchnorm.stats', source, {}, 'stats'),
    params: params().u32(n).u32(c).u32(hw).f32(eps).f32(momentum).u32(running ? 1 : 0).bytes,
    buffers: [x, running?.mean ?? scratch![0], running?.var ?? scratch![1], mean, invstd, x],
    workgroups: [c],
    flops: 4 * total,
    bytes: 4 * (total + 6 * c),
  });
  for (const t of scratch ?? []) gpu.free(t);
  return { mean, invstd };
}

/**
 * Training-mode backward: dx, dgamma, dbeta from dy, x and the saved batch mean and invstd. With
 * `reluBeta` (the forward's beta), the backward of batch norm fused with ReLU: dy is masked where
 * the forward's output was clamped, the mask recomputed from x.
 */
export function batchnormBackward(
  gpu: Gpu,
  dy: GpuArray,
  x: GpuArray,
  gamma: GpuArray,
  mean: GpuArray,
  invstd: GpuArray,
  opts: { reluBeta?: GpuArray; out?: GpuArray; outGamma?: GpuArray; outBeta?: GpuArray } = {},
): { dx: GpuArray; dgamma: GpuArray; dbeta: GpuArray } {
  const relu = opts.reluBeta;
  const kernel = relu ? 'batchnorm_relu.backward' : 'batchnorm.backward';
  const { n, c, hw } = dimsOf(gpu, kernel, x);
  checkArray(gpu, kernel, 'dy', dy, x.shape);
  checkArray(gpu, kernel, 'gamma', gamma, [c]);
  checkArray(gpu, kernel, 'mean', mean, [c]);
  checkArray(gpu, kernel, 'invstd', invstd, [c]);
  if (relu) checkArray(gpu, kernel, 'reluBeta', relu, [c]);
  const dx = outArray(gpu, kernel, x.shape, opts.out);
  const dgamma = outArray(gpu, kernel, [c], opts.outGamma, { name: 'outGamma' });
  const dbeta = outArray(gpu, kernel, [c], opts.outBeta, { name: 'outBeta' });
  const total = numel(x.shape);
  const pr = params().u32(n).u32(c).u32(hw).f32(0).f32(0).u32(relu ? RELU : 0).bytes;
  gpu.dispatch({
    kernel: 'batchnorm.dparams',
    pipeline: gpu.pipeline('batchnorm.dparams', source, {}, 'backward_params'),
    params: pr,
    buffers: [x, dy, mean, invstd, dgamma, dbeta, gamma, relu ?? gamma],
    workgroups: [c],
    flops: 5 * total,
    bytes: 4 * (2 * total + 4 * c),
  });
  gpu.dispatch({
    kernel: 'batchnorm.dx',
    pipeline: gpu.pipeline('batchnorm.dx', source, {}, 'backward_dx'),
    params: pr,
    buffers: [x, dy, mean, invstd, gamma, dgamma, dbeta, dx, relu ?? gamma],
    workgroups: elementwiseGrid(gpu, total),
    flops: 8 * total,
    bytes: 4 * (3 * total + 5 * c),
  });
  return { dx, dgamma, dbeta };
}

/**
 * The pooling fused after batch norm + ReLU: a number k is a k×k max pool of stride k (no padding,
 * (H, W) → (⌊H/k⌋, ⌊W/k⌋); batchnorm_pool.wgsl), 'mean' the mean of each plane (→ (N, C);
 * batchnorm_gap.wgsl).
 */
export type FusedPool = number | 'mean';

/** What a fused pooling launches: its shader, output shape and the invocations of forward and dx. */
interface FusedPlan {
  n: number;
  c: number;
  h: number;
  w: number;
  /** elements per window */
  taps: number;
  outShape: number[];
  rows: number;
  source: string;
  constants: Record<string, number>;
  params: (eps: number, flag: number) => Uint8Array;
}

function fusedPlan(gpu: Gpu, kernel: string, x: GpuArray, pool: FusedPool): FusedPlan {
  check(x.shape.length === 4, kernel, 'x', () => `must be (N, C, H, W), got ${shapeString(x.shape)}`);
  const { n, c } = dimsOf(gpu, kernel, x);
  const [, , h, w] = x.shape;
  if (pool === 'mean') {
    return {
      n, c, h, w, taps: h * w, outShape: [n, c], rows: n * c, source: gapSource, constants: {},
      params: (eps: number, flag: number) => params().u32(n).u32(c).u32(h * w).f32(eps).u32(flag).bytes,
    };
  }
  const k = pool;
  check(Number.isInteger(k) && k >= 1, kernel, 'pool', () => `must be an integer ≥ 1 or 'mean', got ${k}`);
  check(h >= k && w >= k, kernel, 'pool', () => `a ${k}×${k} window does not fit x ${shapeString(x.shape)}`);
  const [ho, wo] = [Math.floor(h / k), Math.floor(w / k)];
  // 2×2 on even sides: aligned pairs, read and written as vec2s (batchnorm_pool2.wgsl)
  const pairs = k === 2 && h % 2 === 0 && w % 2 === 0;
  return {
    n, c, h, w, taps: k * k, outShape: [n, c, ho, wo], rows: n * c * ho, source: pairs ? pool2Source : poolSource, constants: pairs ? {} : { K: k },
    params: (eps: number, flag: number) => params().u32(n).u32(c).u32(h).u32(w).u32(ho).u32(wo).f32(eps).u32(flag).bytes,
  };
}

const fusedName = (pool: FusedPool) => `batchnorm_relu_${pool === 'mean' ? 'meanpool' : 'maxpool'}`;

/**
 * pool(relu(batch norm(x))) in one pass over x (N, C, H, W), the pooling fused (FusedPool): the
 * ReLU'd map is never written. Training normalises with batch statistics (saved for
 * batchnormReluPoolBackward, running stats updated when given); eval with the running ones.
 */
export function batchnormReluPool(
  gpu: Gpu,
  x: GpuArray,
  gamma: GpuArray,
  beta: GpuArray,
  runningMean: GpuArray | null,
  runningVar: GpuArray | null,
  opts: { pool: FusedPool; training?: boolean; momentum?: number; eps?: number; out?: GpuArray; outMean?: GpuArray; outInvstd?: GpuArray },
): { y: GpuArray; mean?: GpuArray; invstd?: GpuArray } {
  const training = opts.training ?? false;
  const name = fusedName(opts.pool);
  const kernel = `${name}${training ? '' : '.eval'}`;
  const pl = fusedPlan(gpu, kernel, x, opts.pool);
  const { n, c, h, w } = pl;
  const { eps, momentum } = checkNormArgs(gpu, kernel, c, gamma, beta, runningMean, runningVar, opts);
  const y = outArray(gpu, kernel, pl.outShape, opts.out);
  const cells = numel(pl.outShape);
  const pool = (mean: GpuArray, scale: GpuArray, evalMode: boolean) =>
    gpu.dispatch({
      kernel: `${kernel}.normalize`,
      pipeline: gpu.pipeline(`${name}.forward`, pl.source, pl.constants, 'forward'),
      params: pl.params(eps, evalMode ? 1 : 0),
      buffers: [x, mean, scale, gamma, beta, y],
      workgroups: grid1d(ceilDiv(pl.rows, 64), gpu.limits.maxComputeWorkgroupsPerDimension),
      flops: 3 * cells * pl.taps,
      bytes: 4 * (cells * pl.taps + cells + 4 * c),
    });
  if (!training) {
    check(runningMean && runningVar, kernel, 'runningMean', () => 'eval mode needs runningMean and runningVar');
    pool(runningMean, runningVar, true);
    return { y };
  }
  const running = runningMean && runningVar ? { mean: runningMean, var: runningVar } : null;
  const { mean, invstd } = batchStats(gpu, kernel, x, running, { n, c, hw: h * w }, eps, momentum, opts);
  pool(mean, invstd, false);
  return { y, mean, invstd };
}

/**
 * Training-mode backward of batchnormReluPool: dx, dgamma, dbeta from the pooled gradient dy, x
 * and the saved batch mean and invstd; the ReLU mask and each max window's argmax are recomputed from x.
 */
export function batchnormReluPoolBackward(
  gpu: Gpu,
  dy: GpuArray,
  x: GpuArray,
  gamma: GpuArray,
  beta: GpuArray,
  mean: GpuArray,
  invstd: GpuArray,
  opts: { pool: FusedPool; out?: GpuArray; outGamma?: GpuArray; outBeta?: GpuArray },
): { dx: GpuArray; dgamma: GpuArray; dbeta: GpuArray } {
  const name = fusedName(opts.pool);
  const kernel = `${name}.backward`;
  const pl = fusedPlan(gpu, kernel, x, opts.pool);
  const c = pl.c;
  checkArray(gpu, kernel, 'dy', dy, pl.outShape);
  for (const [arg, a] of [['gamma', gamma], ['beta', beta], ['mean', mean], ['invstd', invstd]] as const) checkArray(gpu, kernel, arg, a, [c]);
  const dx = outArray(gpu, kernel, x.shape, opts.out);
  const dgamma = outArray(gpu, kernel, [c], opts.outGamma, { name: 'outGamma' });
  const dbeta = outArray(gpu, kernel, [c], opts.outBeta, { name: 'outBeta' });
  const cells = numel(pl.outShape);
  const total = numel(x.shape);
  const pr = pl.params(0, 0);
  gpu.dispatch({
    kernel: `${name}.dparams`,
    pipeline: gpu.pipeline(`${name}.dparams`, pl.source, pl.constants, 'backward_params'),
    params: pr,
    buffers: [x, mean, invstd, gamma, beta, dy, dgamma, dbeta],
    workgroups: [c],
    flops: 3 * cells * pl.taps + 5 * cells,
    bytes: 4 * (cells * pl.taps + cells + 6 * c),
  });
  gpu.dispatch({
    kernel: `${name}.dx`,
    pipeline: gpu.pipeline(`${name}.dx`, pl.source, pl.constants, 'backward_dx'),
    params: pr,
    buffers: [x, mean, invstd, gamma, beta, dy, dgamma, dbeta, dx],
    workgroups: grid1d(ceilDiv(pl.rows, 64), gpu.limits.maxComputeWorkgroupsPerDimension),
    flops: 3 * cells * pl.taps + 3 * total,
    bytes: 4 * (2 * total + cells + 6 * c),
  });
  return { dx, dgamma, dbeta };
}
