// Losses: cross-entropy, fused InfoNCE (NT-Xent, MoCo, CLIP), mean squared error.
import { SOFTASSIGN_MAX_K } from '@pretext/kernels';
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

export interface SoftTargets {
  /** i32 (N, K, d…): K classes per row (index 0 counts for accuracy: the row's most likely class). */
  index: Tensor;
  /** f32 (N, K, d…): their probabilities. */
  prob: Tensor;
}

/**
 * Cross-entropy against soft targets given as K (class, probability) pairs per row, each row's
 * loss times its weight, mean over rows: (1/R)·Σ_r w_r·(−Σ_k q_rk log softmax(x_r)[idx_rk]).
 * logits (N, C, d…) with the classes on axis 1 (per-pixel logits of a dense prediction), rows
 * r = (n, d…); weight (N, d…). Accuracy: rows whose largest logit is their index-0 class (no gradient).
 */
export function softClassification(logits: Tensor, targets: SoftTargets, opts: { weight?: Tensor } = {}): { loss: Tensor; accuracy: Tensor } {
  const op = 'softClassification';
  if (logits.rank < 2) throw new ShapeError(op, `logits must be (N, C, d…), got ${fmt(logits.shape)}`);
  const [n, , ...spatial] = logits.shape;
  const { index, prob } = targets;
  const k = index.shape[1];
  const pairs = [n, k, ...spatial];
  if (index.dtype !== 'i32' || index.rank !== logits.rank || fmt(index.shape) !== fmt(pairs)) throw new ShapeError(op, `index must be i32 (N, K, d…) for logits ${fmt(logits.shape)}, got ${index.dtype} ${fmt(index.shape)}`);
  if (prob.dtype !== 'f32' || fmt(prob.shape) !== fmt(index.shape)) throw new ShapeError(op, `prob must be f32 ${fmt(index.shape)} like index, got ${prob.dtype} ${fmt(prob.shape)}`);
  const w = opts.weight;
  if (w && fmt(w.shape) !== fmt([n, ...spatial])) throw new ShapeError(op, `weight must be ${fmt([n, ...spatial])} (one per row), got ${fmt(w.shape)}`);
  const b = logits.backend;
  const { loss, accuracy, saved } = b.softCrossEntropy(logits.storage, index.storage, prob.storage, w?.storage ?? null);
  saved.index = b.view(index.storage, index.shape);
  saved.prob = b.view(prob.storage, prob.shape);
  if (w) saved.weight = b.view(w.storage, w.shape);
  return { loss: record('softCrossEntropy', {}, [logits], new Tensor(loss, b), saved), accuracy: new Tensor(accuracy, b) };
}

/**
 * Each point of (N, D, d…) (coordinates on axis 1) to its k nearest codewords of codebook
 * (Q, D): index (N, k, d…) nearest first and Gaussian-kernel prob e^{−‖x − c‖²/2σ²} normalised over
 * the k, plus, with codeWeights (Q), the nearest codeword's weight (N, d…). Targets, no gradient.
 */
export function softAssign(points: Tensor, codebook: Tensor, opts: { k: number; sigma: number; codeWeights?: Tensor }): { index: Tensor; prob: Tensor; weight?: Tensor } {
  if (points.rank < 2 || codebook.rank !== 2 || codebook.shape[1] !== points.shape[1]) throw new ShapeError('softAssign', `points (N, D, d…) and codebook (Q, D) must share D, got ${fmt(points.shape)} and ${fmt(codebook.shape)}`);
  const maxK = Math.min(codebook.shape[0], SOFTASSIGN_MAX_K);
  if (!(Number.isInteger(opts.k) && opts.k >= 1 && opts.k <= maxK)) throw new Error(`softAssign: k must be an integer in [1, ${maxK}] (at most the ${codebook.shape[0]} codewords and ${SOFTASSIGN_MAX_K}), got ${opts.k}`);
  if (!(opts.sigma > 0 && Number.isFinite(opts.sigma))) throw new Error(`softAssign: sigma must be a finite number > 0, got ${opts.sigma}`);
  const b = points.backend;
  const r = b.softAssign(points.storage, codebook.storage, opts.k, opts.sigma, opts.codeWeights?.storage ?? null);
  return { index: new Tensor(r.index, b), prob: new Tensor(r.prob, b), ...(r.weight ? { weight: new Tensor(r.weight, b) } : {}) };
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
 * mean over i. MoCo: k = positive keys, pos = arange(M), queue = the negatives (no gradient), and
 * `batchNegatives: false` for He et al.'s logits [l_pos | q̂·queueᵀ] (the other queries' keys left out).
 */
export function infonce(q: Tensor, k: Tensor, positives: Tensor, opts: InfoNCEOptions & { queue?: Tensor; maskSelf?: boolean; batchNegatives?: boolean }): InfoNCEResult {
  if (q.rank !== 2 || k.rank !== 2 || q.shape[1] !== k.shape[1]) throw new ShapeError('infonce', `q (M, D) and k (Nk, D) must share D, got ${fmt(q.shape)} and ${fmt(k.shape)}`);
  if (positives.dtype !== 'i32' || positives.size !== q.shape[0]) throw new ShapeError('infonce', `positives must be i32 with one index per query (${q.shape[0]}), got ${positives.dtype} ${fmt(positives.shape)}`);
  checkTau('infonce', opts.tau);
  const attrs = { tau: opts.tau, normalize: opts.normalize ?? true };
  const grad = isGradEnabled();
  const r = q.backend.infonce(q.storage, k.storage, positives.storage, { ...attrs, maskSelf: opts.maskSelf ?? false, batchNegatives: opts.batchNegatives ?? true, queue: opts.queue?.storage, gradQ: grad && q.requiresGrad, gradK: grad && k.requiresGrad });
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
  const r = z.backend.infonce(z.storage, z.storage, null, { ...attrs, maskSelf: true, batchNegatives: true, gradQ: grad, gradK: false });
  const loss = record('infonce', attrs, [z, null], new Tensor(r.loss, z.backend), r.dq ? { dq: r.dq } : {});
  return { loss, accuracy: new Tensor(r.accuracy, z.backend) };
}

