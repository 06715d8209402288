// Cross-entropy against sparse soft targets (K classes with probabilities per row) and an
// optional weight per row, over logits (N, C, d₁, …) with the classes on axis 1: colorization's
// soft-encoded ab bins with class rebalancing (Zhang et al. 2016), label distributions in
// general. Forward and backward with no readback, as crossentropy.ts; the math is in
// crossentropy_soft.wgsl.
import { check, checkArray, checkBinding, checkNonEmpty, type Gpu, type GpuArray, grid1d, numel, outArray, params, sameShape, shapeString } from '@pretext/gpu';
import source from './crossentropy_soft.wgsl.js';

export interface SoftTargets {
  /** i32 (N, K, d₁, …): K classes per row, each in [0, C); index 0 is the row's most likely class (accuracy). */
  index: GpuArray;
  /** f32 (N, K, d₁, …): their probabilities (normally summing to 1 per row). */
  prob: GpuArray;
}

export interface SoftCrossEntropyOptions {
  /** f32 (N, d₁, …): each row's loss is multiplied by its weight. */
  weight?: GpuArray;
  /** mean: Σ_r w_r·ℓ_r / rows (rows = N·d₁·…, whatever the weights); sum: Σ_r w_r·ℓ_r. */
  reduction?: 'mean' | 'sum';
}

export interface SoftCrossEntropyResult {
  /** f32 [1]. */
  loss: GpuArray;
  /** Per-row logsumexp, f32 (N·d₁·…), saved for the backward. */
  lse: GpuArray;
  /** Fraction of rows whose largest logit is their first target class, f32 [1]. */
  accuracy: GpuArray;
}

const KERNEL = 'crossentropy.soft';

function validate(gpu: Gpu, kernel: string, logits: GpuArray, t: SoftTargets, opts: SoftCrossEntropyOptions) {
  checkArray(gpu, kernel, 'logits', logits);
  check(logits.shape.length >= 2, kernel, 'logits', () => `must be (N, C, d₁, …) with classes on axis 1, got ${shapeString(logits.shape)}`);
  checkNonEmpty(kernel, 'logits', logits.shape);
  const [n, C, ...spatial] = logits.shape;
  const K = t.index.shape[1];
  const want = [n, K, ...spatial];
  check(t.index.dtype === 'i32' && t.index.shape.length === logits.shape.length && K >= 1 && sameShape(t.index.shape, want), kernel, 'index', () =>
    `must be i32 (N, K, d₁, …) = (${[n, 'K ≥ 1', ...spatial].join(', ')}) for logits ${shapeString(logits.shape)}, got ${t.index.dtype} ${shapeString(t.index.shape)}`);
  check(t.prob.dtype === 'f32' && sameShape(t.prob.shape, want), kernel, 'prob', () => `must be f32 ${shapeString(want)} like index, got ${t.prob.dtype} ${shapeString(t.prob.shape)}`);
  checkBinding(gpu, kernel, 'index', want);
  const rowShape = [n, ...spatial];
  if (opts.weight) check(opts.weight.dtype === 'f32' && sameShape(opts.weight.shape, rowShape), kernel, 'weight', () => `must be f32 ${shapeString(rowShape)} (one per row), got ${opts.weight?.dtype} ${shapeString(opts.weight?.shape ?? [])}`);
  const reduction = opts.reduction ?? 'mean';
  check(reduction === 'mean' || reduction === 'sum', kernel, 'reduction', () => `must be 'mean' or 'sum', got '${reduction}'`);
  const rows = numel(rowShape);
  const uniforms = params().u32(rows).u32(C).u32(K).u32(numel(spatial)).u32(opts.weight ? 1 : 0).bytes;
  return { rows, C, K, uniforms, mean: reduction === 'mean' };
}

/** Forward: loss, saved lse, accuracy. Two passes: rows, then a one-workgroup reduce. */
export function softCrossEntropy(gpu: Gpu, logits: GpuArray, targets: SoftTargets, opts: SoftCrossEntropyOptions & { out?: Partial<SoftCrossEntropyResult> } = {}): SoftCrossEntropyResult {
  const { rows, C, K, uniforms, mean } = validate(gpu, KERNEL, logits, targets, opts);
  const loss = outArray(gpu, KERNEL, [1], opts.out?.loss, { name: 'out.loss' });
  const accuracy = outArray(gpu, KERNEL, [1], opts.out?.accuracy, { name: 'out.accuracy' });
  const lse = outArray(gpu, KERNEL, [rows], opts.out?.lse, { name: 'out.lse' });
  const rowLoss = gpu.empty([rows], 'f32', `${KERNEL}.row_loss`);
  const hit = gpu.empty([rows], 'f32', `${KERNEL}.hit`);
  gpu.dispatch({
    kernel: `${KERNEL}.rows`,
    pipeline: gpu.pipeline(`${KERNEL}.rows`, source, {}, 'rows'),
    params: uniforms,
    buffers: [logits, targets.index, targets.prob, opts.weight ?? logits, lse, rowLoss, hit],
    workgroups: grid1d(Math.ceil(rows / 64), gpu.limits.maxComputeWorkgroupsPerDimension),
    // max, exp, sum per logit (the row read twice, the second time from cache); K gathers
    flops: 4 * rows * C + 3 * rows * K,
    bytes: 4 * rows * (C + 2 * K + 4),
  });
  gpu.dispatch({
    kernel: `${KERNEL}.reduce`,
    pipeline: gpu.pipeline(`${KERNEL}.reduce`, source, { WG: 256, MEAN: mean ? 1 : 0 }, 'reduce'),
    params: uniforms,
    buffers: [rowLoss, hit, loss, accuracy],
    workgroups: [1],
    flops: 2 * rows,
    bytes: 8 * rows + 8,
  });
  gpu.free(rowLoss);
  gpu.free(hit);
  return { loss, lse, accuracy };
}

/** Backward: dlogits (the logits' shape) for upstream dloss f32 [1]; options must match the forward's. */
export function softCrossEntropyBackward(
  gpu: Gpu,
  logits: GpuArray,
  targets: SoftTargets,
  saved: Pick<SoftCrossEntropyResult, 'lse'>,
  dloss: GpuArray,
  opts: SoftCrossEntropyOptions & { out?: GpuArray } = {},
): GpuArray {
  const kernel = `${KERNEL}.backward`;
  const { rows, C, K, uniforms, mean } = validate(gpu, kernel, logits, targets, opts);
  check(saved.lse.dtype === 'f32' && sameShape(saved.lse.shape, [rows]), kernel, 'lse', () => `must be f32 [${rows}] from the forward, got ${saved.lse.dtype} ${shapeString(saved.lse.shape)}`);
  check(dloss.dtype === 'f32' && dloss.shape.length <= 1 && (dloss.shape[0] ?? 1) === 1, kernel, 'dloss', () => `must be an f32 scalar ([1] or []), got ${dloss.dtype} ${shapeString(dloss.shape)}`);
  const out = outArray(gpu, kernel, logits.shape, opts.out);
  gpu.dispatch({
    kernel,
    pipeline: gpu.pipeline(kernel, source, { MEAN: mean ? 1 : 0 }, 'backward'),
    params: uniforms,
    buffers: [logits, targets.index, targets.prob, opts.weight ?? logits, saved.lse, dloss, out],
    workgroups: grid1d(Math.ceil(rows / 64), gpu.limits.maxComputeWorkgroupsPerDimension),
    flops: 3 * rows * C + 2 * rows * K,
    bytes: 8 * rows * C + 4 * rows * (2 * K + 2),
  });
  return out;
}
