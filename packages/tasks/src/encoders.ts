// The encoders the vision methods share, and their options.
import type { ImageDataset } from '@pretext/data';
import { ConvNet, type DenseEncoder, Init } from '@pretext/models';
import { type Objective, trainObjectives } from './objective.js';
import { type ConfigOf, flagOf, int, OptionError } from './options.js';
import type { Encoder, TrainState } from './task.js';
import type { TrainingConfig } from './training-options.js';

export const convEncoderOptions = {
  width: int('channels of the first ConvNet block (the blocks have w, 2w, 4w)', 32, { min: 1, max: 512 }),
  grid: int('the last map average-pooled to grid × grid cells (1: global pooling); features 4w·grid²', 1, { min: 1, max: 7 }),
  downsample: int('input average-pooled s×s before the first block (emoji 64×64 → 32×32)', 1, { min: 1, max: 8 }),
};
export type ConvEncoderConfig = ConfigOf<typeof convEncoderOptions>;

/** An encoder whose spatial map a dense objective (colorization) decodes. */
export type DenseImageEncoder = Encoder & DenseEncoder;

/** The small ConvNet for the dataset's channel count. */
export function convEncoder(cfg: ConvEncoderConfig, data: ImageDataset, init: Init): DenseImageEncoder {
  return new ConvNet(init, data.shape[1], cfg.width, { grid: cfg.grid, downsample: cfg.downsample });
}

/**
 * The ConvNet pools its input s×s (downsample) and then 2×2 twice before the grid: an input side
 * must leave at least `grid` cells. `what` names the input (a tile, a patch) in the error.
 */
export function checkEncoderInput(cfg: ConvEncoderConfig, side: number, what: string, flag: (name: string) => string = flagOf): void {
  const cells = Math.floor(Math.floor(Math.floor(side / cfg.downsample) / 2) / 2);
  if (cells < cfg.grid) {
    throw new OptionError(`${what} of ${side} pixels leaves ${cells} cells after ${flag('downsample')} ${cfg.downsample} and two 2×2 pools, fewer than ${flag('grid')} ${cfg.grid}; make it larger or ${flag('grid')} smaller`);
  }
}

/** A task of one objective: the seeded ConvNet, the objective on it (heads initialised after the encoder), the shared step. */
export function trainAlone(cfg: TrainingConfig & ConvEncoderConfig, data: ImageDataset, objective: (encoder: Encoder, init: Init) => Objective<'image'>): TrainState<'image'> {
  const init = new Init(cfg.seed);
  const encoder = convEncoder(cfg, data, init);
  return trainObjectives(cfg, encoder, [{ objective: objective(encoder, init), weight: 1 }]);
}

/** The same ConvNet seeing only the lightness of RGB input (L/100, one channel): colorization's encoder, which must never see colour. */
export function lightnessEncoder(cfg: ConvEncoderConfig, _data: ImageDataset, init: Init): DenseImageEncoder {
  return new ConvNet(init, 1, cfg.width, { grid: cfg.grid, downsample: cfg.downsample, input: 'lightness' });
}
