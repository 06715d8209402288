// Losses: cross-entropy, fused InfoNCE (NT-Xent, MoCo, CLIP), mean squared error.
import { record } from '../autograd.js';
import { fmt, ShapeError } from '../shape.js';
import { Tensor } from '../tensor.js';
import { square, sub } from './elementwise.js';
import { mean } from './reduce.js';

/** Mean cross-entropy of logits (rows, C) against i32 targets (rows), PyTorch semantics. */
export function crossEntropy(logits: Tensor, targets: Tensor, opts: { ignoreIndex?: number; labelSmoothing?: number } = {}): Tensor {
  if (logits.rank !== 2) throw new ShapeError('crossEntropy', `logits must be (rows, classes), got ${fmt(logits.shape)}`);
  if (targets.dtype !== 'i32' || targets.rank !== 1 || targets.shape[0] !== logits.shape[0]) throw new ShapeError('crossEntropy', `targets must be i32 (${logits.shape[0]}), got ${targets.dtype} ${fmt(targets.shape)}`);
  const attrs = { ignoreIndex: opts.ignoreIndex ?? -100, smoothing: opts.labelSmoothing ?? 0 };
  const { loss, lse } = logits.backend.crossEntropy(logits.storage, targets.storage, attrs.ignoreIndex, attrs.smoothing);
  return record('crossEntropy', attrs, [logits, null], new Tensor(loss, logits.backend), { lse, targets: logits.backend.view(targets.storage, targets.shape) });
}

export interface InfoNCEResult {
  loss: Tensor;
  /** Top-1 accuracy of the positive among all keys (no gradient). */
  accuracy: Tensor;
}

/**
 * InfoNCE over queries q (M, D) and keys k (Nk, D): loss_i = −log softmax(q_i·kᵀ/τ)[pos_i], mean over i.
 * NT-Xent: pass the same tensor as q and k with maskSelf. MoCo: k = [k_pos; queue].
 */
export function infonce(q: Tensor, k: Tensor, positives: Tensor, opts: { tau: number; maskSelf?: boolean }): InfoNCEResult {
  if (q.rank !== 2 || k.rank !== 2 || q.shape[1] !== k.shape[1]) throw new ShapeError('infonce', `q (M, D) and k (Nk, D) must share D, got ${fmt(q.shape)} and ${fmt(k.shape)}`);
  if (!(opts.tau > 0)) throw new Error(`infonce: tau must be > 0, got ${opts.tau}`);
  const sameQK = q === k;
  const attrs = { tau: opts.tau, maskSelf: opts.maskSelf ?? sameQK, sameQK };
  const { loss, lse, accuracy } = q.backend.infonce(q.storage, k.storage, positives.storage, attrs.tau, attrs.maskSelf);
  const out = record('infonce', attrs, sameQK ? [q, null, null] : [q, k, null], new Tensor(loss, q.backend), { lse, pos: q.backend.view(positives.storage, positives.shape) });
  return { loss: out, accuracy: new Tensor(accuracy, q.backend) };
}

export function mse(a: Tensor, b: Tensor): Tensor {
  return mean(square(sub(a, b)));
}

