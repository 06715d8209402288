// Masked-LM corruption on the GPU: validate → one launch of mlmmask.wgsl (a workgroup per row).
//   mlmMask(ids (B, T) i32) → { inputs (B, T) i32, targets (B·T) i32 }
import { check, type Gpu, type GpuArray, grid1d, numel, params, shapeString } from '@pretext/gpu';
import source from './mlmmask.wgsl.js';

export const MLM_MASK_MAX_T = 1024;

export interface MlmMaskOptions {
  vocab: number;
  /** Ids below it (PAD, MASK, CLS, SEP) are never chosen; random replacements come from [special, vocab). */
  special: number;
  maskId: number;
  /** Share of the non-special tokens chosen (BERT: 0.15); at least one per row that has any. */
  rate?: number;
  /** Of the chosen: share replaced by [MASK] (0.8) and by a random token (0.1); the rest kept. */
  maskShare?: number;
  randomShare?: number;
  seed: number;
  stream?: number;
  /** Target of the positions not chosen (default −100, cross-entropy's ignore index). */
  ignoreIndex?: number;
  inputs?: GpuArray;
  targets?: GpuArray;
}

/** Shares as integers × 10⁴ (the kernel and its twin share integer quotas). */
export const mlmShareQ = (share: number): number => Math.round(share * 10_000);

export function mlmMask(gpu: Gpu, ids: GpuArray, o: MlmMaskOptions): { inputs: GpuArray; targets: GpuArray } {
  const kernel = 'mlmMask';
  check(ids.dtype === 'i32' && ids.shape.length === 2, kernel, 'ids', () => `must be i32 (B, T), got ${ids.dtype} ${shapeString(ids.shape)}`);
  const [b, t] = ids.shape;
  check(b > 0 && t > 0, kernel, 'ids', () => `empty batch ${shapeString(ids.shape)}`);
  check(t <= MLM_MASK_MAX_T, kernel, 'ids', () => `rows of ${t} tokens exceed the supported ${MLM_MASK_MAX_T}`);
  check(b * t < 65536, kernel, 'ids', () => `B·T = ${b * t} tokens; the exact quotas need B·T < 65536 (split the batch)`);
  check(Number.isInteger(o.special) && o.special >= 0 && Number.isInteger(o.vocab) && o.vocab > o.special, kernel, 'vocab', () => `need integers 0 ≤ special < vocab, got special ${o.special}, vocab ${o.vocab}`);
  check(Number.isInteger(o.maskId) && o.maskId >= 0 && o.maskId < o.vocab, kernel, 'maskId', () => `must be an id in [0, ${o.vocab}), got ${o.maskId}`);
  const rate = o.rate ?? 0.15;
  const maskShare = o.maskShare ?? 0.8;
  const randomShare = o.randomShare ?? 0.1;
  check(rate > 0 && rate <= 1, kernel, 'rate', () => `must be in (0, 1], got ${rate}`);
  check(maskShare >= 0 && randomShare >= 0 && maskShare + randomShare <= 1, kernel, 'maskShare', () => `[MASK] ${maskShare} and random ${randomShare} shares must be ≥ 0 and sum to ≤ 1`);
  const stream = o.stream ?? 0;
  for (const [name, v] of [['seed', o.seed], ['stream', stream]] as const) check(Number.isInteger(v) && v >= 0 && v < 2 ** 32, kernel, name, () => `must be an integer in [0, 2^32), got ${v}`);
  const inputs = o.inputs ?? gpu.empty([b, t], 'i32', 'mlmMask.inputs');
  const targets = o.targets ?? gpu.empty([b * t], 'i32', 'mlmMask.targets');
  check(inputs.dtype === 'i32' && numel(inputs.shape) === b * t, kernel, 'inputs', () => `must be i32 with ${b * t} elements, got ${inputs.dtype} ${shapeString(inputs.shape)}`);
  check(targets.dtype === 'i32' && numel(targets.shape) === b * t, kernel, 'targets', () => `must be i32 with ${b * t} elements, got ${targets.dtype} ${shapeString(targets.shape)}`);
  gpu.dispatch({
    kernel,
    pipeline: gpu.pipeline(kernel, source),
    params: params().u32(b).u32(t).u32(o.vocab).u32(o.special).u32(o.maskId).u32(mlmShareQ(rate)).u32(mlmShareQ(maskShare)).u32(mlmShareQ(randomShare))
      .u32(o.seed).u32(stream).i32(o.ignoreIndex ?? -100).bytes,
    buffers: [ids, inputs, targets],
    workgroups: grid1d(b, gpu.limits.maxComputeWorkgroupsPerDimension),
    // per row: every row's counts (B·T reads), T keys (~60 integer ops), T² rank comparisons
    flops: b * (b * t + 60 * t + 2 * t * t),
    bytes: 4 * (b * b * t + 3 * b * t),
  });
  return { inputs, targets };
}
