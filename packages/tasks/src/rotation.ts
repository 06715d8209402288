// RotNet (Gidaris et al. 2018): rotate each image by 0°, 90°, 180° or 270° and classify which;
// to tell which way is up the encoder has to find the object and its parts.
import { concat, rotate90, tensor } from '@pretext/core';
import type { Batch, ImageDataset } from '@pretext/data';
import type { Init } from '@pretext/models';
import { convEncoder, convEncoderOptions, trainAlone } from './encoders.js';
import { classifierHead, classifierObjective, headOptions } from './classifier.js';
import type { Objective, ClassifierView } from './objective.js';
import { bool, type ConfigOf, OptionError } from './options.js';
import { defineTask, type Encoder, type StepContext } from './task.js';
import { trainingOptions } from './training-options.js';

export const rotationOptions = {
  ...headOptions,
  allRotations: bool('every image in all four rotations per step (as RotNet; 4× the images) rather than one drawn at random', true),
};
export type RotationConfig = ConfigOf<typeof rotationOptions>;

/** Rotation by 90° needs square images. */
export function checkRotation(data: ImageDataset): void {
  const [, , h, w] = data.shape;
  if (h !== w) throw new OptionError(`rotation needs square images; ${data.name} is ${h}×${w}`);
}

/** Classify the rotation k·90° of each image from its features. */
export function rotationObjective(cfg: RotationConfig, encoder: Encoder, init: Init): Objective<'image'> {
  const head = classifierHead(init, encoder.featureDim, cfg.hidden, 4);
  // allRotations: the labels of the batch repeated four times, rotation-major   (4N)
  let labels: Int32Array | undefined;
  const view = (batch: Batch, ctx: StepContext): ClassifierView => {
    const [n, c, h, w] = batch.shape;
    // 1. the rotated images and their labels k ∈ {0, 1, 2, 3}   (N or 4N, C, H, W), (N or 4N)
    const x = tensor(batch.images, [n, c, h, w]);
    if (cfg.allRotations && labels?.length !== 4 * n) labels = Int32Array.from({ length: 4 * n }, (_, i) => Math.floor(i / n));
    const r = cfg.allRotations ? rotate90(concat([x, x, x, x], 0), { seed: ctx.seed, labels }) : rotate90(x, { seed: ctx.seed });
    // 2. features of the shared encoder → logits over the four rotations   (·, F) → (·, 4)
    const logits = head.forward(encoder.forward(r.images));
    return { kind: 'rotation', inputs: r.images, targets: r.labels, logits };
  };
  return classifierObjective('rotation', head, view);
}

export const rotation = defineTask({
  id: 'rotation',
  summary: 'RotNet: classify the rotation (0°, 90°, 180°, 270°) of each image; ConvNet + classifier head',
  modality: 'image',
  options: { ...trainingOptions, ...convEncoderOptions, ...rotationOptions },
  presets: {
    'fashion-mnist': {
      quick: { epochs: 1, batchSize: 128, trainLimit: 8192, supervisedEpochs: 1, width: 16, lr: 2e-3, probeSelect: false },
      full: { epochs: 2, batchSize: 128, width: 32, grid: 2, lr: 2e-3, supervisedEpochs: 1, probeEpochs: 15 },
    },
    emoji: {
      quick: { epochs: 3, batchSize: 64, width: 32, grid: 2, downsample: 2, lr: 2e-3, supervisedEpochs: 8 },
      full: { epochs: 25, batchSize: 64, width: 32, grid: 2, downsample: 2, lr: 2e-3, supervisedEpochs: 20 },
    },
  },
  check: (_cfg, data) => checkRotation(data),
  encoder: convEncoder,
  build: (cfg, data) => trainAlone(cfg, data, (encoder, init) => rotationObjective(cfg, encoder, init)),
});
