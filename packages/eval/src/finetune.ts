// Fine-tuning (SimCLR's semi-supervised protocol, §B.5): a COPY of the encoder plus a new linear
// head trained end to end on a seeded, class-balanced 1% or 10% of the training labels, with light
// augmentation (random resized crop + flip), the encoder at a smaller learning rate than the head;
// top-1 on the whole test split. The same protocol from the untrained network (random init, the
// encoder at the head's lr: a smaller one would handicap it) is "from scratch" — the row every
// report with labels puts next to the pretrained one.
import { assign, type AugmentPipeline } from '@pretext/core';
import { type ImageDataset, subset } from '@pretext/data';
import { Init, type Module } from '@pretext/models';
import type { Encoder } from './features.js';
import { fewLabelSubset } from './few-label.js';
import { classifierTop1, type EncoderFactory, trainClassifier } from './supervised.js';

/** Light augmentation for fine-tuning: a random resized crop of at least 80% of the image, and a flip. */
export const FINETUNE_AUGMENTATION: AugmentPipeline = {
  name: 'finetune',
  crop: { scale: [0.8, 1], ratio: [0.9, 1 / 0.9] },
  flip: { p: 0.5 },
  description: 'fine-tuning: random resized crop (scale 0.8–1, ratio 0.9–1.11, bilinear), flip p=0.5',
};

export interface FineTuneOptions {
  /** Labelled fractions of the training split (default 1% and 10%). */
  fractions?: readonly number[];
  /** Passes over the labelled subset (at least `minSteps` steps in all). */
  epochs?: number;
  minSteps?: number;
  batchSize?: number;
  /** The head's peak learning rate (AdamW, warmup + cosine). */
  lr?: number;
  /** × lr for the encoder: < 1 from a pretrained start; scratch trains at 1. */
  encoderLrScale?: number;
  weightDecay?: number;
  /** Seed of the fresh network, the head, the batch order and the augmentations. */
  seed?: number;
  /** Seed of the labelled subset (the same subsets as the few-label probe at the same seed). */
  subsetSeed?: number;
  /** null: no augmentation. */
  augmentation?: AugmentPipeline | null;
}

export const FINETUNE_DEFAULTS = { fractions: [0.01, 0.1], epochs: 10, minSteps: 100, batchSize: 64, lr: 1e-2, encoderLrScale: 0.1, weightDecay: 5e-4, seed: 0, subsetSeed: 0 } as const;

/** The settings of the same protocol from scratch: the encoder at the head's learning rate. */
export const SCRATCH: Pick<FineTuneOptions, 'encoderLrScale'> = { encoderLrScale: 1 };

export interface FineTuneResult {
  fraction: number;
  labelled: number;
  top1: number;
  /** Mean training cross-entropy over the last epoch. */
  trainLoss: number;
  epochs: number;
  steps: number;
  encoderLrScale: number;
  seconds: number;
}

/**
 * Copies every parameter and buffer (BatchNorm's running statistics) of `src` into `dst`, a module
 * of the same architecture, matched by name; shapes must agree.
 */
export function copyWeights(dst: Module, src: Module): void {
  const to = dst.stateDict();
  const from = src.stateDict();
  if (to.size !== from.size) throw new Error(`copyWeights: the modules differ (${from.size} tensors into ${to.size})`);
  for (const [name, t] of from) {
    const d = to.get(name);
    if (!d) throw new Error(`copyWeights: '${name}' has no counterpart in the destination`);
    if (d.shape.join() !== t.shape.join()) throw new Error(`copyWeights: '${name}' is [${t.shape}] in the source and [${d.shape}] in the destination`);
    assign(d, t);
  }
}

/**
 * A fresh network from `factory` carrying `encoder`'s weights: what fine-tuning trains. `encoder`
 * itself is never written to; the caller disposes the copy.
 */
export function trainableCopy(encoder: Encoder, factory: EncoderFactory, seed: number): Encoder {
  const copy = factory(new Init(seed));
  try {
    copyWeights(copy, encoder);
  } catch (e) {
    copy.dispose();
    throw e;
  }
  return copy;
}

/** Fine-tunes a copy of `encoder` on each labelled fraction of `train`; top-1 on `test`. */
export async function fineTune(encoder: Encoder, factory: EncoderFactory, train: ImageDataset, test: ImageDataset, opts: FineTuneOptions = {}): Promise<FineTuneResult[]> {
  const o = { ...FINETUNE_DEFAULTS, ...opts };
  const augmentation = opts.augmentation === undefined ? FINETUNE_AUGMENTATION : (opts.augmentation ?? undefined);
  const out: FineTuneResult[] = [];
  for (const fraction of o.fractions) {
    const t0 = performance.now();
    const idx = fewLabelSubset(train.labels, fraction, o.subsetSeed);
    const labelled = subset(train, idx, `${train.name} (${+(100 * fraction).toFixed(2)}% labels)`);
    const net = trainableCopy(encoder, factory, o.seed);
    try {
      const { head, losses, epochs, steps } = await trainClassifier(net, labelled, { ...o, augmentation }, 'fineTune');
      try {
        const top1 = await classifierTop1(net, head, test);
        out.push({ fraction, labelled: idx.length, top1, trainLoss: losses[losses.length - 1], epochs, steps, encoderLrScale: o.encoderLrScale, seconds: (performance.now() - t0) / 1000 });
      } finally {
        head.dispose();
      }
    } finally {
      net.dispose();
    }
  }
  return out;
}
