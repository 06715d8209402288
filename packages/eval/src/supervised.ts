// The supervised baseline: the same backbone trained from scratch on the same labels with
// cross-entropy (a linear classifier on top of the features), AdamW and a cosine schedule.
import { adamw, crossEntropy, keep, noGrad, type Tensor, tensor, tidy, warmupCosine } from '@pretext/core';
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

export interface SupervisedResult {
  encoder: Encoder;
  /** Mean training cross-entropy per epoch. */
  losses: number[];
}

/** Trains encoderFactory(new Init(seed)) + a linear head on data's labels; returns the encoder. */
export async function trainSupervised(encoderFactory: EncoderFactory, data: ImageDataset, opts: SupervisedOptions): Promise<SupervisedResult> {
  const op = 'trainSupervised';
  if (!(Number.isInteger(opts.epochs) && opts.epochs > 0)) throw new Error(`${op}: epochs must be a positive integer, got ${opts.epochs}`);
  if (!(opts.lr > 0)) throw new Error(`${op}: lr must be > 0, got ${opts.lr}`);
  const n = data.shape[0];
  if (n < 1) throw new Error(`${op}: dataset '${data.name}' is empty`);
  if (data.labels.length !== n) throw new Error(`${op}: dataset '${data.name}' has ${data.labels.length} labels for ${n} images`);
  const bs = Math.min(opts.batchSize ?? 128, n);
  const encoder = encoderFactory(new Init(opts.seed));
  const head = new Linear(new Init(opts.seed + 1), encoder.featureDim, Math.max(data.classes.length, Math.max(...data.labels) + 1));
  const opt = adamw([...encoder.namedParameters('encoder'), ...head.namedParameters('head')], { lr: opts.lr, weightDecay: opts.weightDecay ?? 5e-4 });
  const loader = new ImageLoader(data, bs, { seed: opts.seed, dropLast: true });
  const total = opts.epochs * loader.batchesPerEpoch;
  const losses: number[] = [];
  encoder.train();
  try {
    for (let e = 0; e < opts.epochs; e++) {
      let lossSum: Tensor | null = null;
      let b = 0;
      for await (const batch of loader.epoch(e)) {
        opt.lr = warmupCosine(e * loader.batchesPerEpoch + b++, total, opts.lr);
        const next: Tensor = tidy(() => {
          const logits = head.forward(encoder.forward(tensor(batch.images, batch.shape))); // (B, classes)
          const loss = crossEntropy(logits, tensor(batch.labels));
          loss.backward();
          opt.update();
          return keep(noGrad(() => (lossSum ? loss.add(lossSum) : loss.mul(1))));
        });
        lossSum?.dispose();
        lossSum = next;
      }
      losses.push((await (lossSum as Tensor).item()) / loader.batchesPerEpoch);
      lossSum?.dispose();
    }
  } finally {
    opt.dispose();
    head.dispose();
  }
  encoder.eval();
  return { encoder, losses };
}
