// Context prediction (Doersch et al. 2015): a centre patch and one of its 8 neighbours in a 3×3
// grid, with a gap and jitter so that edges and lines running across cannot give the answer away;
// both go through the same encoder and a head classifies where the neighbour sits.
import { contextPatches, reshape, tensor } from '@pretext/core';
import type { Batch, ImageDataset } from '@pretext/data';
import type { Init } from '@pretext/models';
import { checkEncoderInput, type ConvEncoderConfig, convEncoder, convEncoderOptions, trainAlone } from './encoders.js';
import { classifierHead, classifierObjective, headOptions } from './classifier.js';
import type { Objective, ClassifierView } from './objective.js';
import { type ConfigOf, flagOf, int, OptionError } from './options.js';
import { defineTask, type Encoder, type StepContext } from './task.js';
import { trainingOptions } from './training-options.js';

export const contextOptions = {
  ...headOptions,
  patchSize: int('side of a patch in pixels (default: the largest that fits 3 patches, 2 gaps and the jitter)', undefined, { min: 1 }),
  gap: int('pixels between the centre patch and its neighbours', 2, { min: 0 }),
  jitter: int('each patch moves by up to this many pixels, independently, in x and y', 1, { min: 0 }),
};
export type ContextConfig = ConfigOf<typeof contextOptions>;

/** The patch side: `patchSize`, or the largest with 3·size + 2·gap + 2·jitter inside the image. */
export function patchSize(cfg: ContextConfig, data: ImageDataset): number {
  return cfg.patchSize ?? Math.floor((Math.min(data.shape[2], data.shape[3]) - 2 * cfg.gap - 2 * cfg.jitter) / 3);
}

/** A 3×3 grid of patches that does not fit the image, or patches too small for the encoder, before training. */
export function checkContext(cfg: ContextConfig & ConvEncoderConfig, data: ImageDataset, flag: (name: string) => string = flagOf): void {
  const [, , h, w] = data.shape;
  const size = patchSize(cfg, data);
  const need = 3 * size + 2 * cfg.gap + 2 * cfg.jitter;
  if (size < 1 || need > Math.min(h, w)) {
    throw new OptionError(
      `${flag('patchSize')} ${size >= 1 ? size : '(none fits)'} with ${flag('gap')} ${cfg.gap} and ${flag('jitter')} ${cfg.jitter} does not fit ${data.name}'s ${h}×${w} images: 3·size + 2·gap + 2·jitter must be ≤ ${Math.min(h, w)}${size >= 1 ? `, got ${need}` : ''}`,
    );
  }
  checkEncoderInput(cfg, size, 'a patch', flag);
}

/** Classify where (8 places) a neighbour patch sits relative to the centre patch. */
export function contextObjective(cfg: ContextConfig, encoder: Encoder, init: Init, data: ImageDataset): Objective<'image'> {
  const size = patchSize(cfg, data);
  const head = classifierHead(init, 2 * encoder.featureDim, cfg.hidden, 8);
  const view = (batch: Batch, ctx: StepContext): ClassifierView => {
    const [n, c] = batch.shape;
    // 1. (centre, neighbour) patches and the neighbour's place 0..7   (N, 2, C, s, s), (N)
    const { patches, labels } = contextPatches(tensor(batch.images, batch.shape), { size, gap: cfg.gap, jitter: cfg.jitter, seed: ctx.seed });
    // 2. both patches through the shared encoder, side by side   (2N, F) → (N, 2F)
    const f = encoder.forward(reshape(patches, [2 * n, c, size, size]));
    // 3. logits over the 8 places   (N, 8)
    const logits = head.forward(reshape(f, [n, 2 * encoder.featureDim]));
    return { kind: 'context', inputs: patches, targets: labels, logits };
  };
  return classifierObjective('context', head, view);
}

export const context = defineTask({
  id: 'context',
  summary: 'Context prediction: where does a neighbour patch sit around the centre patch (8 places; gaps, jitter)',
  modality: 'image',
  options: { ...trainingOptions, ...convEncoderOptions, ...contextOptions },
  presets: {
    // 28×28: patches of 8 pixels, gap 1, jitter 1 (3·8 + 2·1 + 2·1 = 28)
    'fashion-mnist': {
      quick: { epochs: 2, batchSize: 128, trainLimit: 8192, supervisedEpochs: 1, width: 16, gap: 1, jitter: 1, lr: 2e-3, probeSelect: false },
      full: { epochs: 20, batchSize: 256, width: 32, grid: 2, gap: 1, jitter: 1, lr: 2e-3, supervisedEpochs: 1, probeEpochs: 15 },
    },
    // 64×64: patches of 18 pixels, gap 3, jitter 2 (3·18 + 2·3 + 2·2 = 64), pooled to 9×9 by the encoder as the 32×32 input of SimCLR's emoji presets
    emoji: {
      quick: { epochs: 10, batchSize: 64, width: 32, grid: 2, downsample: 2, gap: 3, jitter: 2, lr: 2e-3, supervisedEpochs: 8 },
      full: { epochs: 60, batchSize: 64, width: 32, grid: 2, downsample: 2, gap: 3, jitter: 2, lr: 2e-3, supervisedEpochs: 20 },
    },
  },
  check: (cfg, data) => checkContext(cfg, data),
  encoder: convEncoder,
  build: (cfg, data) => trainAlone(cfg, data, (encoder, init) => contextObjective(cfg, encoder, init, data)),
});
