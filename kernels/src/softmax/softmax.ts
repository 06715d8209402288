// Masked row softmax / log-softmax over the last axis, forward and backward.
// validate → pick TPR (threads per row) from the row length → launch WG/TPR rows per workgroup.
import { check, checkArray, checkNonEmpty, type Gpu, type GpuArray, grid1d, numel, outArray, params, sameShape, shapeString } from '@pretext/gpu';
import source from './softmax.wgsl.js';
import backwardSource from './softmax_backward.wgsl.js';
import backwardSgSource from './softmax_backward_sg.wgsl.js';
import sgSource from './softmax_sg.wgsl.js';

const WG = 64;

/** Knobs of the variant choice (tests turn `sg` off to reach the fallback). */
export const softmaxTuning = {
  /** Allow softmax_sg.wgsl / softmax_backward_sg.wgsl (vec4 rows, one subgroup per row). */
  sg: true,
  /** Rows (subgroups) per workgroup in the sg shaders, where every subgroup has the same size (else 1). */
  sgRowsPerWorkgroup: 8,
};

/**
 * Which shaders run (forward and backward alike): 'sg' (softmax_sg.wgsl, softmax_backward_sg.wgsl;
 * need subgroups and len % 4 == 0), else 'rows' (softmax.wgsl,
 * softmax_backward.wgsl: TPR threads per row, workgroup-memory merge).
 */
export function softmaxVariant(gpu: Gpu, len: number): 'sg' | 'rows' {
  return softmaxTuning.sg && gpu.subgroupWidth() > 0 && len % 4 === 0 ? 'sg' : 'rows';
}

export interface SoftmaxMaskOpts {
  /** Multiplies x before the mask is added (default 1). Any finite value. */
  scale?: number;
  /**
   * Padding mask of shape (B, L) or (L): broadcast over x (B, …, L). u32/i32: nonzero keeps key j,
   * 0 drops it. f32: added to scale·x (−∞, or anything ≤ −1e38, drops the key).
   */
  mask?: GpuArray;
  /** Key j is masked for query position i = (row mod x.shape[rank−2]) when j > i + causalOffset. */
  causal?: boolean;
  /** Shift of the causal diagonal (default 0; Lk − Tq aligns the last query with the last key). */
  causalOffset?: number;
}

export interface SoftmaxOpts extends SoftmaxMaskOpts {
  out?: GpuArray;
}

/** Threads per row: a power of two giving each thread ~4 blocks of 4 logits, at most WG. */
export function threadsPerRow(len: number): number {
  const blocks = Math.ceil(len / 16);
  let t = 1;
  while (t < blocks && t < WG) t *= 2;
  return t;
}

function rowsOf(kernel: string, gpu: Gpu, x: GpuArray, name: string): { rows: number; len: number } {
  checkArray(gpu, kernel, name, x);
  check(x.shape.length >= 1, kernel, name, () => 'must have at least one axis (rows over the last)');
  checkNonEmpty(kernel, name, x.shape);
  const len = x.shape[x.shape.length - 1];
  return { rows: numel(x.shape) / len, len };
}

/** The pipeline (sg or rows variant of `sources`) and the grid for `rows` rows of `len`. */
function rowsPipeline(gpu: Gpu, kernel: string, sources: { sg: string; rows: string }, rows: number, len: number, log: boolean) {
  const sg = softmaxVariant(gpu, len) === 'sg';
  // several rows (subgroups) per workgroup only where each subgroup has exactly SG lanes, and
  // within the adapter's invocations per workgroup
  const SG = gpu.subgroupWidth();
  const fit = Math.max(1, Math.floor(gpu.limits.maxComputeInvocationsPerWorkgroup / Math.max(SG, 1)));
  const rpw = gpu.subgroupWidth({ exact: true }) ? Math.min(softmaxTuning.sgRowsPerWorkgroup, fit) : 1;
  const tpr = threadsPerRow(len);
  return {
    pipeline: sg ? gpu.pipeline(`${kernel}_sg`, sources.sg, { SG, RPW: rpw, LOG: log ? 1 : 0 }) : gpu.pipeline(kernel, sources.rows, { TPR: tpr, LOG: log ? 1 : 0 }),
    workgroups: grid1d(Math.ceil(rows / (sg ? rpw : WG / tpr)), gpu.limits.maxComputeWorkgroupsPerDimension),
  };
}

function launch(gpu: Gpu, x: GpuArray, opts: SoftmaxOpts, log: boolean): GpuArray {
  const kernel = log ? 'logSoftmax' : 'softmax';
  const { rows, len } = rowsOf(kernel, gpu, x, 'x');
  const scale = opts.scale ?? 1;
  check(Number.isFinite(scale), kernel, 'scale', () => `must be finite, got ${scale}`);
  const rank = x.shape.length;
  const mask = opts.mask;
  let maskKind = 0;
  let rowsPerMaskRow = rows;
  if (mask) {
    check(mask.dtype === 'f32' || mask.dtype === 'u32' || mask.dtype === 'i32', kernel, 'mask', () => `dtype must be u32/i32 (boolean) or f32 (additive), got ${mask.dtype}`);
    const ms = mask.shape;
    const okShape = (ms.length === 1 && ms[0] === len) || (ms.length === 2 && ms[1] === len && (ms[0] === 1 || (rank >= 2 && ms[0] === x.shape[0])));
    check(okShape, kernel, 'mask', () => `shape ${shapeString(ms)} does not broadcast to x ${shapeString(x.shape)}: want (${rank >= 2 ? x.shape[0] : 1}, ${len}) or (${len})`);
    maskKind = mask.dtype === 'f32' ? 2 : 1;
    rowsPerMaskRow = ms.length === 2 && ms[0] !== 1 ? rows / ms[0] : rows;
  }
  const causal = opts.causal ?? false;
  const offset = opts.causalOffset ?? 0;
  check(Number.isInteger(offset), kernel, 'causalOffset', () => `must be an integer, got ${offset}`);
  check(!causal || rank >= 2, kernel, 'x', () => `causal needs x of rank ≥ 2 (…, Tq, L), got ${shapeString(x.shape)}`);
  const tq = rank >= 2 ? x.shape[rank - 2] : 1;
  const out = outArray(gpu, kernel, x.shape, opts.out, { flat: true });
  gpu.dispatch({
    kernel,
    ...rowsPipeline(gpu, kernel, { sg: sgSource, rows: source }, rows, len, log),
    params: params().u32(rows).u32(len).f32(scale).u32(maskKind).u32(rowsPerMaskRow).u32(causal ? 1 : 0).u32(tq).i32(offset).f32(-Infinity).bytes,
    buffers: [x, mask ?? x, out],
    // per logit: scale, max, exp, sum, and exp, multiply on the write pass
    flops: 6 * rows * len,
    // compulsory traffic: x read once, y written once, the mask read once
    bytes: 8 * rows * len + (mask ? numel(mask.shape) * 4 : 0),
  });
  return out;
}

/** y = softmax(scale·x + mask) over the last axis; fully masked rows are zeros. */
export function softmax(gpu: Gpu, x: GpuArray, opts: SoftmaxOpts = {}): GpuArray {
  return launch(gpu, x, opts, false);
}

/** y = log_softmax(scale·x + mask) over the last axis; masked entries −∞, fully masked rows zeros. */
export function logSoftmax(gpu: Gpu, x: GpuArray, opts: SoftmaxOpts = {}): GpuArray {
  return launch(gpu, x, opts, true);
}

function launchBackward(gpu: Gpu, y: GpuArray, dy: GpuArray, opts: { scale?: number; out?: GpuArray }, log: boolean): GpuArray {
  const kernel = log ? 'logSoftmaxBackward' : 'softmaxBackward';
  const { rows, len } = rowsOf(kernel, gpu, y, 'y');
  rowsOf(kernel, gpu, dy, 'dy');
  check(sameShape(dy.shape, y.shape), kernel, 'dy', () => `shape ${shapeString(dy.shape)} must equal y's ${shapeString(y.shape)}`);
  const scale = opts.scale ?? 1;
  check(Number.isFinite(scale), kernel, 'scale', () => `must be finite, got ${scale}`);
  const out = outArray(gpu, kernel, y.shape, opts.out, { flat: true });
  gpu.dispatch({
    kernel,
    ...rowsPipeline(gpu, kernel, { sg: backwardSgSource, rows: backwardSource }, rows, len, log),
    params: params().u32(rows).u32(len).f32(scale).bytes,
    buffers: [y, dy, out],
    flops: 5 * rows * len,
    bytes: 12 * rows * len,
  });
  return out;
}

/** dx for y = softmax(scale·x + mask): scale · y ⊙ (dy − Σ dy⊙y). `y` is the forward output. */
export function softmaxBackward(gpu: Gpu, y: GpuArray, dy: GpuArray, opts: { scale?: number; out?: GpuArray } = {}): GpuArray {
  return launchBackward(gpu, y, dy, opts, false);
}

/** dx for y = log_softmax(scale·x + mask): scale · (dy − e^y · Σ dy). `y` is the forward output. */
export function logSoftmaxBackward(gpu: Gpu, y: GpuArray, dy: GpuArray, opts: { scale?: number; out?: GpuArray } = {}): GpuArray {
  return launchBackward(gpu, y, dy, opts, true);
}
