// Linear probe (Kolesnikov et al. 2019; SimCLR's protocol): frozen features, standardised with
// the training split's statistics, multinomial logistic regression y = softmax(x·Wᵀ + b) trained
// on the GPU with cross-entropy + AdamW (or SGD with momentum) and a cosine learning rate.
import { adamw, argmax, concat, crossEntropy, gather, keep, linear, noGrad, type Optimizer, sgd, type Tensor, tensor, tidy, warmupCosine } from '@pretext/core';
import { permutation } from '@pretext/data';
import { Init, Linear } from '@pretext/models';
import { checkFeatures, checkLabels, type Features, numClasses, rowBlocks, standardize } from './features.js';

export interface LinearProbeOptions {
  epochs?: number;
  batchSize?: number;
  lr?: number;
  weightDecay?: number;
  optimizer?: 'adamw' | 'sgd';
  seed?: number;
  /** Number of classes; default max label + 1 over both splits. */
  classes?: number;
  /** Standardise features with the training mean/std (default true). */
  standardize?: boolean;
}

export interface LinearProbeResult {
  top1: number;
  /** Mean over the test classes of each class's top-1 (recall): chance is 1/C however unbalanced the classes. */
  balancedTop1: number;
  trainTop1: number;
  /** Mean cross-entropy over the last epoch. */
  trainLoss: number;
  epochs: number;
  nTrain: number;
  nTest: number;
}

/** Optimiser steps queued on the GPU (whole epochs) before the CPU waits for it. */
const WAIT_STEPS = 64;

export const LINEAR_PROBE_DEFAULTS = { epochs: 30, batchSize: 256, lr: 1e-2, weightDecay: 1e-4, optimizer: 'adamw', seed: 0 } as const;

/** Top-1 of a logistic-regression classifier on train features, measured on test features. */
export async function linearProbe(trainFeats: Features, trainLabels: Int32Array, testFeats: Features, testLabels: Int32Array, opts: LinearProbeOptions = {}): Promise<LinearProbeResult> {
  const op = 'linearProbe';
  checkFeatures(op, 'train features', trainFeats);
  checkFeatures(op, 'test features', testFeats);
  checkLabels(op, 'train labels', trainLabels, trainFeats.n);
  checkLabels(op, 'test labels', testLabels, testFeats.n);
  if (trainFeats.dim !== testFeats.dim) throw new Error(`${op}: train features have dim ${trainFeats.dim}, test features ${testFeats.dim}`);
  const o = { ...LINEAR_PROBE_DEFAULTS, ...opts };
  if (o.optimizer !== 'adamw' && o.optimizer !== 'sgd') throw new Error(`${op}: optimizer must be 'adamw' or 'sgd', got '${o.optimizer}'`);
  for (const k of ['epochs', 'batchSize'] as const) if (!(Number.isInteger(o[k]) && o[k] > 0)) throw new Error(`${op}: ${k} must be a positive integer, got ${o[k]}`);
  if (!(o.lr > 0) || !(o.weightDecay >= 0)) throw new Error(`${op}: lr must be > 0 and weightDecay ≥ 0, got lr=${o.lr}, weightDecay=${o.weightDecay}`);
  const classes = opts.classes ?? numClasses(trainLabels, testLabels);
  if (numClasses(trainLabels, testLabels) > classes) throw new Error(`${op}: a label is ≥ classes (${classes})`);

  const [tr, te] = opts.standardize === false ? [trainFeats, testFeats] : standardize(trainFeats, trainFeats, testFeats);
  const n = tr.n;
  const bs = Math.min(o.batchSize, n);
  const steps = Math.ceil(n / bs);
  const total = steps * o.epochs;

  // (N, D) goes up once and stays on the GPU for every epoch, in row blocks when it is larger than
  // one upload; a batch gathers its rows block by block (rows grouped by block, labels alike)
  const blocks = upload(tr);
  const head = new Linear(new Init(o.seed), tr.dim, classes); // W (C, D), b (C)
  const params = head.namedParameters('probe');
  const opt: Optimizer = o.optimizer === 'adamw' ? adamw(params, { lr: o.lr, weightDecay: o.weightDecay }) : sgd(params, { lr: o.lr, momentum: 0.9, weightDecay: o.weightDecay });
  let trainLoss = Number.NaN;
  let queued = 0; // steps submitted since the CPU last waited for the GPU
  try {
    for (let e = 0; e < o.epochs; e++) {
      const order = permutation(n, o.seed * 7919 + e);
      let lossSum: Tensor | null = null;
      for (let s = 0; s < steps; s++) {
        const idx = order.subarray(s * bs, Math.min(n, (s + 1) * bs));
        opt.lr = warmupCosine(e * steps + s, total, o.lr);
        const next: Tensor = tidy(() => {
          const rows: number[] = [];
          const parts = blocks.flatMap(({ lo, hi, X }) => {
            const local = Array.from(idx).filter((i) => i >= lo && i < hi);
            rows.push(...local);
            return local.length ? [gather(X, tensor(Int32Array.from(local, (i) => i - lo)))] : [];
          });
          const xb = parts.length === 1 ? parts[0] : concat(parts, 0); // (B, D)
          const yb = tensor(Int32Array.from(rows, (i) => trainLabels[i])); // (B)
          const loss = crossEntropy(head.forward(xb), yb);
          loss.backward();
          opt.update();
          const weighted = noGrad(() => loss.mul(idx.length)); // Σ over the batch
          return keep(lossSum ? noGrad(() => weighted.add(lossSum as Tensor)) : weighted);
        });
        lossSum?.dispose();
        lossSum = next;
      }
      // after an epoch the CPU waits for the GPU once WAIT_STEPS steps have queued since the last
      // wait, so at most max(WAIT_STEPS, one epoch) steps queue (with no wait, 30 epochs × 234 batches
      // of 60 000 rows crashed lavapipe), and after the last epoch, whose mean loss is reported
      queued += steps;
      if (lossSum && (queued >= WAIT_STEPS || e === o.epochs - 1)) {
        trainLoss = (await lossSum.item()) / n;
        queued = 0;
      }
      lossSum?.dispose();
    }
    const trainTop1 = (await accuracy(head, blocks, trainLabels)).top1;
    const testBlocks = upload(te);
    const { top1, balancedTop1 } = await accuracy(head, testBlocks, testLabels).finally(() => dispose(testBlocks));
    return { top1, balancedTop1, trainTop1, trainLoss, epochs: o.epochs, nTrain: n, nTest: te.n };
  } finally {
    dispose(blocks);
    opt.dispose();
    head.dispose();
  }
}

interface Block {
  lo: number;
  hi: number;
  /** rows [lo, hi) of the features, (hi − lo, D) on the GPU */
  X: Tensor;
}

/** f on the GPU in row blocks of at most one upload each. */
const upload = (f: Features): Block[] => rowBlocks(f).map(([lo, hi]) => ({ lo, hi, X: tensor(f.values.subarray(lo * f.dim, hi * f.dim), [hi - lo, f.dim]) }));
const dispose = (blocks: Block[]) => {
  for (const b of blocks) b.X.dispose();
};

/** Fraction of rows whose argmax logit is the label, and its mean over the classes present. */
async function accuracy(head: Linear, blocks: Block[], labels: Int32Array): Promise<{ top1: number; balancedTop1: number }> {
  const pred = new Int32Array(labels.length);
  for (const { lo, X } of blocks) {
    const p = noGrad(() => tidy(() => argmax(linear(X, head.weight, head.bias), -1))); // (rows) i32
    pred.set(await p.data(), lo);
    p.dispose();
  }
  return classAccuracy(pred, labels);
}

/** Top-1 and balanced top-1 (mean per-class recall over the classes in `labels`) of predictions. */
export function classAccuracy(pred: ArrayLike<number>, labels: Int32Array): { top1: number; balancedTop1: number } {
  const seen = new Map<number, [number, number]>();
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    const c = seen.get(labels[i]) ?? [0, 0];
    c[1]++;
    if (pred[i] === labels[i]) {
      c[0]++;
      correct++;
    }
    seen.set(labels[i], c);
  }
  const recalls = [...seen.values()].map(([k, n]) => k / n);
  return { top1: correct / labels.length, balancedTop1: recalls.reduce((a, b) => a + b, 0) / recalls.length };
}
