// Cross-entropy loss over rows × C logits with class-index targets (PyTorch semantics:
// ignoreIndex, labelSmoothing, mean | sum), forward and backward, with no readback: the loss,
// the non-ignored row count and top-1 accuracy stay in 1-element GPU buffers, and the
// backward reads the upstream gradient dloss from one, so autograd can chain it.
//
// Targets: a GpuArray (i32 [rows]) or a host Int32Array. Host targets are checked here (each in
// [0, C) or = ignoreIndex); on the GPU an out-of-range target that is not ignoreIndex makes its
// row loss — hence the reduced loss — and its gradient row NaN, never silent garbage.
import { check, checkArray, checkNonEmpty, type Gpu, type GpuArray, grid1d, outArray, params, shapeString } from '@pretext/gpu';
import source from './crossentropy.wgsl.js';

export interface CrossEntropyOptions {
  /** Rows whose target equals this contribute nothing and are excluded from the mean (default −100, as PyTorch). */
  ignoreIndex?: number;
  /** ε in [0, 1]: target distribution (1 − ε)·onehot + ε/C. */
  labelSmoothing?: number;
  reduction?: 'mean' | 'sum';
  /** Forward variant, for tests and benches; default by shape (see rowVariant). */
  variant?: 'thread' | 'workgroup';
}

export interface CrossEntropyResult {
  /** The loss, f32 [1]. Mean over zero non-ignored rows is NaN, as PyTorch. */
  loss: GpuArray;
  /** Per-row logsumexp, f32 [rows], saved for the backward. */
  lse: GpuArray;
  /** Number of non-ignored rows as f32 [1], saved for the backward. */
  count: GpuArray;
  /** Top-1 accuracy over non-ignored rows, f32 [1] (argmax ties go to the lowest class). */
  accuracy: GpuArray;
}

const KERNEL = 'crossentropy';

// threads per row: long rows get more; each thread streams ≥ 8 logits for C ≥ 512
const workgroupSize = (C: number) => (C >= 4096 ? 256 : C >= 512 ? 64 : 32);
// one thread per row when rows are short and plentiful (no barriers), else a workgroup per row
const rowVariant = (rows: number, C: number) => (C <= 1024 && rows >= 256 ? 'thread' : 'workgroup');

function validate(gpu: Gpu, kernel: string, logits: GpuArray, targets: GpuArray | Int32Array, opts: CrossEntropyOptions) {
  checkArray(gpu, kernel, 'logits', logits);
  check(logits.shape.length === 2, kernel, 'logits', () => `must be rank 2 (rows × C), got ${shapeString(logits.shape)}`);
  checkNonEmpty(kernel, 'logits', logits.shape);
  const [rows, C] = logits.shape;
  const ignoreIndex = opts.ignoreIndex ?? -100;
  check(Number.isInteger(ignoreIndex) && Math.abs(ignoreIndex) < 2 ** 31, kernel, 'ignoreIndex', () => `must be an i32, got ${ignoreIndex}`);
  const eps = opts.labelSmoothing ?? 0;
  check(eps >= 0 && eps <= 1, kernel, 'labelSmoothing', () => `must be in [0, 1], got ${eps}`);
  const reduction = opts.reduction ?? 'mean';
  check(reduction === 'mean' || reduction === 'sum', kernel, 'reduction', () => `must be 'mean' or 'sum', got '${reduction}'`);
  if (targets instanceof Int32Array) {
    check(targets.length === rows, kernel, 'targets', () => `must hold ${rows} targets (one per row), got ${targets.length}`);
    const bad = targets.findIndex((t) => t !== ignoreIndex && (t < 0 || t >= C));
    check(bad < 0, kernel, 'targets', () => `targets[${bad}] = ${targets[bad]} is outside [0, ${C}) and is not ignoreIndex (${ignoreIndex})`);
  } else {
    checkArray(gpu, kernel, 'targets', targets, [rows], 'i32');
  }
  const uniforms = params().u32(rows).u32(C).i32(ignoreIndex).f32(eps).bytes;
  return { rows, C, uniforms, mean: reduction === 'mean' };
}

/** Forward: loss, saved lse and count, accuracy. Three passes: rows, then a one-workgroup reduce. */
export function crossEntropy(
  gpu: Gpu,
  logits: GpuArray,
  targets: GpuArray | Int32Array,
  opts: CrossEntropyOptions & { out?: Partial<CrossEntropyResult> } = {},
): CrossEntropyResult {
  const { rows, C, uniforms, mean } = validate(gpu, KERNEL, logits, targets, opts);
  const t = targets instanceof Int32Array ? gpu.upload(targets, [rows], `${KERNEL}.targets`) : targets;
  const lse = outArray(gpu, KERNEL, [rows], opts.out?.lse, { name: 'out.lse' });
  const loss = outArray(gpu, KERNEL, [1], opts.out?.loss, { name: 'out.loss' });
  const count = outArray(gpu, KERNEL, [1], opts.out?.count, { name: 'out.count' });
  const accuracy = outArray(gpu, KERNEL, [1], opts.out?.accuracy, { name: 'out.accuracy' });
  const rowLoss = gpu.empty([rows], 'f32', `${KERNEL}.row_loss`);
  const correct = gpu.empty([rows], 'f32', `${KERNEL}.correct`);
  const maxDim = gpu.limits.maxComputeWorkgroupsPerDimension;
  const perThread = (opts.variant ?? rowVariant(rows, C)) === 'thread';
  gpu.dispatch({
    kernel: `${KERNEL}.rows`,
    pipeline: perThread
      ? gpu.pipeline(`${KERNEL}.rows`, source, {}, 'rows_small')
      : gpu.pipeline(`${KERNEL}.rows`, source, { WG: workgroupSize(C) }, 'rows'),
    params: uniforms,
    buffers: [logits, t, lse, rowLoss, correct],
    workgroups: grid1d(perThread ? Math.ceil(rows / 64) : rows, maxDim),
    // max, exp, sums per logit; the row is read twice (the second time from cache)
    flops: 5 * rows * C,
    bytes: 4 * rows * C + 16 * rows,
  });
  gpu.dispatch({
    kernel: `${KERNEL}.reduce`,
    pipeline: gpu.pipeline(`${KERNEL}.reduce`, source, { WG: 256, MEAN: mean ? 1 : 0 }, 'reduce'),
    params: uniforms,
    buffers: [t, rowLoss, correct, loss, count, accuracy],
    workgroups: [1],
    flops: 3 * rows,
    bytes: 12 * rows + 12,
  });
  // the pool is stream-ordered: released buffers are reused only by later work
  gpu.free(rowLoss);
  gpu.free(correct);
  if (t !== targets) gpu.free(t);
  return { loss, lse, count, accuracy };
}

/**
 * Backward: dlogits = (softmax(logits) − q)·dloss/count (mean) or ·dloss (sum), q the smoothed
 * target distribution; zero rows where the target is ignoreIndex. `saved` is the forward's
 * { lse, count }; dloss is f32 [1] on the GPU. Options must match the forward's.
 */
export function crossEntropyBackward(
  gpu: Gpu,
  logits: GpuArray,
  targets: GpuArray | Int32Array,
  saved: Pick<CrossEntropyResult, 'lse' | 'count'>,
  dloss: GpuArray,
  opts: CrossEntropyOptions & { out?: GpuArray } = {},
): GpuArray {
  const kernel = `${KERNEL}.backward`;
  const { rows, C, uniforms, mean } = validate(gpu, kernel, logits, targets, opts);
  checkArray(gpu, kernel, 'lse', saved.lse, [rows]);
  checkArray(gpu, kernel, 'count', saved.count, [1]);
  check(dloss.dtype === 'f32' && dloss.shape.length <= 1 && (dloss.shape[0] ?? 1) === 1, kernel, 'dloss', () => `must be an f32 scalar ([1] or []), got ${dloss.dtype} ${shapeString(dloss.shape)}`);
  const out = outArray(gpu, kernel, [rows, C], opts.out);
  const t = targets instanceof Int32Array ? gpu.upload(targets, [rows], `${KERNEL}.targets`) : targets;
  const n = rows * C;
  gpu.dispatch({
    kernel,
    pipeline: gpu.pipeline(kernel, source, { WG: workgroupSize(C), MEAN: mean ? 1 : 0 }, 'backward'),
    params: uniforms,
    buffers: [logits, t, saved.lse, saved.count, dloss, out],
    workgroups: grid1d(rows, gpu.limits.maxComputeWorkgroupsPerDimension),
    flops: 5 * n,
    bytes: 8 * n + 8 * rows,
  });
  if (t !== targets) gpu.free(t);
  return out;
}
