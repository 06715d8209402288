// Token ops: BERT's masked-LM corruption, redrawn on the device from a seed (no gradient: ids).
import type { MlmMaskOptions as KernelMlmMaskOptions } from '@pretext/kernels';
import type { MlmMaskSpec } from '../backend.js';
import { fmt, ShapeError } from '../shape.js';
import { Tensor } from '../tensor.js';

/** The kernel's options (BERT's 15% / 80 / 10 / 10 by default), without its output buffers. */
export type MlmMaskOptions = Omit<KernelMlmMaskOptions, 'inputs' | 'targets'>;

/**
 * Masked-LM inputs and targets from clean ids (B, T) i32: `inputs` (B, T) with the chosen tokens
 * replaced, `targets` (B·T) holding the original id where chosen and ignoreIndex (−100) elsewhere.
 */
export function mlmMask(ids: Tensor, o: MlmMaskOptions): { inputs: Tensor; targets: Tensor } {
  if (ids.dtype !== 'i32' || ids.rank !== 2) throw new ShapeError('mlmMask', `ids must be i32 (B, T), got ${ids.dtype} ${fmt(ids.shape)}`);
  const spec: MlmMaskSpec = {
    vocab: o.vocab, special: o.special, maskId: o.maskId, rate: o.rate ?? 0.15, maskShare: o.maskShare ?? 0.8, randomShare: o.randomShare ?? 0.1,
    seed: o.seed >>> 0, stream: (o.stream ?? 0) >>> 0, ignoreIndex: o.ignoreIndex ?? -100,
  };
  const r = ids.backend.mlmMask(ids.storage, spec);
  return { inputs: new Tensor(r.inputs, ids.backend), targets: new Tensor(r.targets, ids.backend) };
}
