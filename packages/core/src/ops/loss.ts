// Losses: cross-entropy, fused InfoNCE (NT-Xent, MoCo, CLIP).
import { record } from '../autograd.js';
import type { Storage } from '../backend.js';
import { isGradEnabled } from '../engine.js';
import { fmt, ShapeError } from '../shape.js';
import { Tensor } from '../tensor.js';

export interface CrossEntropyOptions {
  /** Rows whose target equals it count for nothing (PyTorch's ignore_index, default −100). */
  ignoreIndex?: number;
  labelSmoothing?: number;
}

/** Mean cross-entropy of logits (rows, C) against i32 targets (rows), PyTorch semantics. */
export function crossEntropy(logits: Tensor, targets: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  const { loss, accuracy } = classification(logits, targets, opts);
  accuracy.dispose();
  return loss;
}

/**
 * Cross-entropy and, from the same kernel, top-1 accuracy: the fraction of counted rows (target ≠
 * ignoreIndex) whose largest logit is the target's (ties go to the lowest index). Accuracy has no gradient.
 */
export function classification(logits: Tensor, targets: Tensor, opts: CrossEntropyOptions = {}): { loss: Tensor; accuracy: Tensor } {
  if (logits.rank !== 2) throw new ShapeError('crossEntropy', `logits must be (rows, classes), got ${fmt(logits.shape)}`);
  if (targets.dtype !== 'i32' || targets.rank !== 1 || targets.shape[0] !== logits.shape[0]) throw new ShapeError('crossEntropy', `targets must be i32 (${logits.shape[0]}), got ${targets.dtype} ${fmt(targets.shape)}`);
  const attrs = { ignoreIndex: opts.ignoreIndex ?? -100, smoothing: opts.labelSmoothing ?? 0 };
  const { loss, accuracy, saved } = logits.backend.crossEntropy(logits.storage, targets.storage, attrs.ignoreIndex, attrs.smoothing);
  saved.targets = logits.backend.view(targets.storage, targets.shape);
  return { loss: record('crossEntropy', attrs, [logits, null], new Tensor(loss, logits.backend), saved), accuracy: new Tensor(accuracy, logits.backend) };
}

export interface InfoNCEResult {
  loss: Tensor;
  /** Top-1 accuracy of the positive among all keys (no gradient). */
  accuracy: Tensor;
}

export interface InfoNCEOptions {
  /** Temperature τ > 0. */
  tau: number;
  /** L2-normalise embeddings inside the kernel (default true: cosine similarity). */
  normalize?: boolean;
}

function checkTau(op: string, tau: number): void {
  if (!(tau > 0) || !Number.isFinite(tau)) throw new Error(`${op}: tau must be a finite number > 0, got ${tau}`);
}

/**
 * InfoNCE of queries q (M, D) against keys [k; queue] (Nk + K, D): loss_i = −log softmax(q̂_i·k̂ᵀ/τ)[pos_i],
 * mean over i. MoCo: k = positive keys, pos = arange(M), queue = the negatives (no gradient).
 */
export function infonce(q: Tensor, k: Tensor, positives: Tensor, opts: InfoNCEOptions & { queue?: Tensor; maskSelf?: boolean }): InfoNCEResult {
  if (q.rank !== 2 || k.rank !== 2 || q.shape[1] !== k.shape[1]) throw new ShapeError('infonce', `q (M, D) and k (Nk, D) must share D, got ${fmt(q.shape)} and ${fmt(k.shape)}`);
  if (positives.dtype !== 'i32' || positives.size !== q.shape[0]) throw new ShapeError('infonce', `positives must be i32 with one index per query (${q.shape[0]}), got ${positives.dtype} ${fmt(positives.shape)}`);
  checkTau('infonce', opts.tau);
  const attrs = { tau: opts.tau, normalize: opts.normalize ?? true };
  const grad = isGradEnabled();
  const r = q.backend.infonce(q.storage, k.storage, positives.storage, { ...attrs, maskSelf: opts.maskSelf ?? false, queue: opts.queue?.storage, gradQ: grad && q.requiresGrad, gradK: grad && k.requiresGrad });
  const saved: Record<string, Storage> = {};
  if (r.dq) saved.dq = r.dq;
  if (r.dk) saved.dk = r.dk;
  const loss = record('infonce', attrs, [q, k], new Tensor(r.loss, q.backend), saved);
  return { loss, accuracy: new Tensor(r.accuracy, q.backend) };
}

/** SimCLR's NT-Xent over z (2N, D): rows i and i + N are two views of one sample; 2N − 2 negatives each. */
export function ntXent(z: Tensor, opts: InfoNCEOptions): InfoNCEResult {
  if (z.rank !== 2 || z.shape[0] % 2 !== 0) throw new ShapeError('ntXent', `z must be (2N, D), two views of N samples, got ${fmt(z.shape)}`);
  checkTau('ntXent', opts.tau);
  const attrs = { tau: opts.tau, normalize: opts.normalize ?? true };
  const grad = isGradEnabled() && z.requiresGrad;
  const r = z.backend.infonce(z.storage, z.storage, null, { ...attrs, maskSelf: true, gradQ: grad, gradK: false });
  const loss = record('infonce', attrs, [z, null], new Tensor(r.loss, z.backend), r.dq ? { dq: r.dq } : {});
  return { loss, accuracy: new Tensor(r.accuracy, z.backend) };
}

