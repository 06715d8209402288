// Layer norm over the last dim: forward (saves mean and rstd per row) and backward (dx, and
// dweight/dbias as owner-computed column sums over row chunks, finished by reduce).
import { ceilDiv, check, checkArray, checkNonEmpty, type Gpu, type GpuArray, grid1d, numel, outArray, params, shapeString } from '@pretext/gpu';
import { reduce } from '../reduce/reduce.js';
import source from './layernorm.wgsl.js';

const WG = 64;

/**
 * A known slowdown for proving the bench regression check (bench/scripts/prove-check.ts):
 * PRETEXT_PROOF_SLOWDOWN=layernorm:<f> makes the forward's pass redo its first f·rows rows
 * (the shader's proof_rows: the same values written again), f more work in the same dispatch.
 * Unset, as everywhere outside that proof, it is 0 and the launcher does what it did without it.
 */
const PROOF_EXTRA = Number(/^layernorm:(\d*\.?\d+)$/.exec((globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.PRETEXT_PROOF_SLOWDOWN ?? '')?.[1] ?? 0);

function rowsOf(kernel: string, x: GpuArray): { rows: number; d: number; lead: number[] } {
  check(x.shape.length >= 1, kernel, 'x', () => `must have at least one dim, got ${shapeString(x.shape)}`);
  checkNonEmpty(kernel, 'x', x.shape);
  const d = x.shape[x.shape.length - 1];
  return { rows: numel(x.shape) / d, d, lead: x.shape.slice(0, -1) };
}

/** y = (x − mean) · rstd · weight + bias over the last dim D; x (…, D), weight and bias (D). */
export function layernorm(
  gpu: Gpu,
  x: GpuArray,
  weight: GpuArray,
  bias: GpuArray,
  opts: { eps?: number; out?: GpuArray; outMean?: GpuArray; outRstd?: GpuArray } = {},
): { y: GpuArray; mean: GpuArray; rstd: GpuArray } {
  const kernel = 'layernorm';
  const { rows, d, lead } = rowsOf(kernel, x);
  const eps = opts.eps ?? 1e-5;
  check(eps >= 0 && Number.isFinite(eps), kernel, 'eps', () => `must be finite and ≥ 0, got ${eps}`);
  checkArray(gpu, kernel, 'x', x);
  checkArray(gpu, kernel, 'weight', weight, [d]);
  checkArray(gpu, kernel, 'bias', bias, [d]);
  const y = outArray(gpu, kernel, x.shape, opts.out);
  const mean = outArray(gpu, kernel, lead, opts.outMean, { name: 'outMean' });
  const rstd = outArray(gpu, kernel, lead, opts.outRstd, { name: 'outRstd' });
  const extra = PROOF_EXTRA > 0 ? Math.min(rows, Math.ceil(PROOF_EXTRA * rows)) : 0;
  const r = rows + extra;
  gpu.dispatch({
    kernel,
    pipeline: gpu.pipeline(kernel, source, extra ? { proof_rows: extra } : {}, 'forward'),
    params: params().u32(rows).u32(d).f32(eps).u32(0).bytes,
    buffers: [x, weight, bias, y, mean, rstd],
    workgroups: grid1d(ceilDiv(r, WG), gpu.limits.maxComputeWorkgroupsPerDimension),
    flops: 8 * r * d,
    bytes: 4 * (2 * r * d + 2 * d + 2 * r),
  });
  return { y, mean, rstd };
}

/** dx, dweight, dbias from dy and what the forward saved (x, mean, rstd). */
export function layernormBackward(
  gpu: Gpu,
  dy: GpuArray,
  x: GpuArray,
  weight: GpuArray,
  mean: GpuArray,
  rstd: GpuArray,
  opts: { out?: GpuArray; outWeight?: GpuArray; outBias?: GpuArray } = {},
): { dx: GpuArray; dweight: GpuArray; dbias: GpuArray } {
  const kernel = 'layernorm.backward';
  const { rows, d, lead } = rowsOf(kernel, x);
  checkArray(gpu, kernel, 'x', x);
  checkArray(gpu, kernel, 'dy', dy, x.shape);
  checkArray(gpu, kernel, 'weight', weight, [d]);
  checkArray(gpu, kernel, 'mean', mean, lead);
  checkArray(gpu, kernel, 'rstd', rstd, lead);
  const dx = outArray(gpu, kernel, x.shape, opts.out);
  const dweight = outArray(gpu, kernel, [d], opts.outWeight, { name: 'outWeight' });
  const dbias = outArray(gpu, kernel, [d], opts.outBias, { name: 'outBias' });
  const n = rows * d;
  const maxDim = gpu.limits.maxComputeWorkgroupsPerDimension;
  gpu.dispatch({
    kernel: 'layernorm.dx',
    pipeline: gpu.pipeline('layernorm.dx', source, {}, 'backward_dx'),
    params: params().u32(rows).u32(d).f32(0).u32(0).bytes,
    buffers: [x, weight, dy, mean, rstd, dx],
    workgroups: grid1d(ceilDiv(rows, WG), maxDim),
    flops: 12 * n,
    bytes: 4 * (3 * n + d + 2 * rows),
  });
  // column sums: S chunks of rows so that there are a few dozen workgroups, then reduce over S
  const colBlocks = ceilDiv(d, WG);
  check(colBlocks <= maxDim, kernel, 'x', () => `last dim ${d} needs ${colBlocks} workgroups, over maxComputeWorkgroupsPerDimension (${maxDim})`);
  const splits = Math.min(rows, maxDim, Math.max(1, ceilDiv(32, colBlocks)));
  const chunk = ceilDiv(rows, splits);
  const s = ceilDiv(rows, chunk);
  const pw = s === 1 ? dweight : gpu.empty([s, d], 'f32', 'layernorm.dweight.partials');
  const pb = s === 1 ? dbias : gpu.empty([s, d], 'f32', 'layernorm.dbias.partials');
  gpu.dispatch({
    kernel: 'layernorm.dparams',
    pipeline: gpu.pipeline('layernorm.dparams', source, {}, 'backward_params'),
    params: params().u32(rows).u32(d).f32(0).u32(chunk).bytes,
    buffers: [x, dy, mean, rstd, pw, pb],
    workgroups: [colBlocks, s],
    flops: 5 * n,
    bytes: 4 * (2 * n + 2 * rows + 2 * s * d),
  });
  if (s > 1) {
    reduce(gpu, 'sum', pw, { axis: 0, out: dweight });
    reduce(gpu, 'sum', pb, { axis: 0, out: dbias });
    gpu.free(pw);
    gpu.free(pb);
  }
  return { dx, dweight, dbias };
}
