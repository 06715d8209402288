// An encoder + linear head trained end to end on labels with cross-entropy, AdamW and a cosine
// schedule: the supervised baseline (a fresh backbone on every label) and fine-tuning (a copy of a
// pretrained backbone on a few labels, finetune.ts) are both this loop.
import { adamw, argmax, type AugmentPipeline, augment, crossEntropy, keep, noGrad, type Tensor, tensor, tidy, warmupCosine } from '@pretext/core';
import { type ImageDataset, ImageLoader } from '@pretext/data';
import { Init, Linear } from '@pretext/models';
import type { Encoder } from './features.js';

/** Builds a fresh encoder from an init seed scheme (the same factory the SSL task uses). */
export type EncoderFactory = (init: Init) => Encoder;

export interface SupervisedOptions {
  epochs: number;
  lr: number;
  seed: number;
  batchSize?: number;
  weightDecay?: number;
}

export interface ClassifierOptions extends SupervisedOptions {
  /** × lr for the encoder's parameters (a pretrained encoder takes a smaller step than its new head); default 1. */
  encoderLrScale?: number;
  /** Applied to every batch on the GPU, seeded per step (default: none). */
  augmentation?: AugmentPipeline;
  /** Train at least this many steps: a small labelled set gets more epochs (default 0). */
  minSteps?: number;
}

export interface ClassifierResult {
  /** The trained head (C, D); the caller disposes it. */
  head: Linear;
  /** Mean training cross-entropy per epoch. */
  losses: number[];
  epochs: number;
  steps: number;
}

export interface SupervisedResult {
  encoder: Encoder;
  /** Mean training cross-entropy per epoch. */
  losses: number[];
}

function checkClassifier(op: string, data: ImageDataset, opts: ClassifierOptions): void {
  if (!(Number.isInteger(opts.epochs) && opts.epochs > 0)) throw new Error(`${op}: epochs must be a positive integer, got ${opts.epochs}`);
  if (!(opts.lr > 0)) throw new Error(`${op}: lr must be > 0, got ${opts.lr}`);
  const scale = opts.encoderLrScale ?? 1;
  if (!(Number.isFinite(scale) && scale >= 0)) throw new Error(`${op}: encoderLrScale must be finite and ≥ 0, got ${scale}`);
  const n = data.shape[0];
  if (n < 1) throw new Error(`${op}: dataset '${data.name}' is empty`);
  if (data.labels.length !== n) throw new Error(`${op}: dataset '${data.name}' has ${data.labels.length} labels for ${n} images`);
}

/**
 * Trains `encoder` (in place) and a new linear head on data's labels: AdamW over both, the encoder's
 * lr × encoderLrScale, warmup + cosine over the whole run, full batches in a seeded order.
 */
export async function trainClassifier(encoder: Encoder, data: ImageDataset, opts: ClassifierOptions, op = 'trainClassifier'): Promise<ClassifierResult> {
  checkClassifier(op, data, opts);
  const n = data.shape[0];
  const bs = Math.min(opts.batchSize ?? 128, n);
  const classes = Math.max(data.classes.length, Math.max(...data.labels) + 1);
  const head = new Linear(new Init(opts.seed + 1), encoder.featureDim, classes);
  const scale = opts.encoderLrScale ?? 1;
  const opt = adamw([...encoder.namedParameters('encoder'), ...head.namedParameters('head')], { lr: opts.lr, weightDecay: opts.weightDecay ?? 5e-4 }, {
    lrScale: (name) => (name.startsWith('encoder.') ? scale : 1),
  });
  const loader = new ImageLoader(data, bs, { seed: opts.seed, dropLast: true });
  const epochs = Math.max(opts.epochs, Math.ceil((opts.minSteps ?? 0) / loader.batchesPerEpoch));
  const total = epochs * loader.batchesPerEpoch;
  const losses: number[] = [];
  const wasTraining = encoder.training;
  encoder.train();
  try {
    for (let e = 0; e < epochs; e++) {
      let lossSum: Tensor | null = null;
      let b = 0;
      for await (const batch of loader.epoch(e)) {
        const step = e * loader.batchesPerEpoch + b++;
        opt.lr = warmupCosine(step, total, opts.lr);
        const next: Tensor = tidy(() => {
          const x = tensor(batch.images, batch.shape); // (B, C, H, W)
          const input = opts.augmentation ? augment(x, opts.augmentation, { seed: opts.seed * 1_000_003 + step }) : x;
          const logits = head.forward(encoder.forward(input)); // (B, classes)
          const loss = crossEntropy(logits, tensor(batch.labels));
          loss.backward();
          opt.update();
          return keep(noGrad(() => (lossSum ? loss.add(lossSum) : loss.mul(1))));
        });
        lossSum?.dispose();
        lossSum = next;
      }
      // one readback per epoch: the mean loss, and the CPU waits for the GPU here
      losses.push((await (lossSum as Tensor).item()) / loader.batchesPerEpoch);
      lossSum?.dispose();
    }
  } catch (e) {
    head.dispose();
    throw e;
  } finally {
    opt.dispose();
    encoder.train(wasTraining);
  }
  return { head, losses, epochs, steps: total };
}

/** Top-1 of head(encoder(x)) on every image of `test` (eval mode, no gradient). */
export async function classifierTop1(encoder: Encoder, head: Linear, test: ImageDataset, batchSize = 256): Promise<number> {
  const [n, c, h, w] = test.shape;
  const per = c * h * w;
  const wasTraining = encoder.training;
  encoder.eval();
  let correct = 0;
  try {
    for (let lo = 0; lo < n; lo += batchSize) {
      const hi = Math.min(n, lo + batchSize);
      const pred = noGrad(() => tidy(() => argmax(head.forward(encoder.forward(tensor(test.images.subarray(lo * per, hi * per), [hi - lo, c, h, w]))), -1))); // (B) i32
      const p = await pred.data();
      pred.dispose();
      for (let i = 0; i < p.length; i++) if (p[i] === test.labels[lo + i]) correct++;
    }
  } finally {
    encoder.train(wasTraining);
  }
  return correct / n;
}

/** Trains encoderFactory(new Init(seed)) + a linear head on data's labels; returns the encoder (eval mode; the caller disposes it). */
export async function trainSupervised(encoderFactory: EncoderFactory, data: ImageDataset, opts: SupervisedOptions): Promise<SupervisedResult> {
  checkClassifier('trainSupervised', data, opts);
  const encoder = encoderFactory(new Init(opts.seed));
  try {
    const { head, losses } = await trainClassifier(encoder, data, opts, 'trainSupervised');
    head.dispose();
    encoder.eval();
    return { encoder, losses };
  } catch (e) {
    encoder.dispose();
    throw e;
  }
}
