// The encoders the vision methods share, and their options.
import type { ImageDataset } from '@pretext/data';
import { ConvNet, type DenseEncoder, type Init } from '@pretext/models';
import { type ConfigOf, int } from './options.js';
import type { Encoder } from './task.js';

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

/** The same ConvNet seeing only the lightness of RGB input (L/100, one channel): colorization's encoder, which must never see colour. */
export function lightnessEncoder(cfg: ConvEncoderConfig, _data: ImageDataset, init: Init): DenseImageEncoder {
  return new ConvNet(init, 1, cfg.width, { grid: cfg.grid, downsample: cfg.downsample, input: 'lightness' });
}
