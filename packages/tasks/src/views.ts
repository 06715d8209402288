// The two views a contrastive step trains on, augmented on the GPU: rows n and N + n of the
// result are a positive pair. Either two augmentations of image n, or (pairs) one augmentation of
// image n and one of its natural partner (emoji: the other vendor's drawing of the same emoji).
import { augment, type Tensor, tensor } from '@pretext/core';
import type { Batch, ImageDataset } from '@pretext/data';
import type { Pipeline } from '@pretext/kernels';
import { flagOf, OptionError } from './options.js';

export function twoViews(batch: Batch, data: ImageDataset, pipeline: Pipeline, opts: { seed: number; pairs: boolean }): Tensor {
  const [n, c, h, w] = batch.shape;
  // two views of each image   (N, C, H, W) → (2N, C, H, W)
  if (!opts.pairs) return augment(tensor(batch.images, batch.shape), pipeline, { seed: opts.seed, outSize: [h, w], views: 2 });
  // the partners come with the batch from its own dataset (a held-out batch's from the test split, not from `data`)
  if (!batch.partner) throw new Error(`pairs: this batch of ${data.name} has no partner images: its dataset has no natural positive pairs (emoji has: the two vendors' drawings); set pairs: false`);
  // the batch, then each image's partner   (2N, C, H, W), one augmentation each
  const both = new Float32Array(2 * batch.images.length);
  both.set(batch.images);
  both.set(batch.partner, batch.images.length);
  return augment(tensor(both, [2 * n, c, h, w]), pipeline, { seed: opts.seed, outSize: [h, w], views: 1 });
}

/** `pairs` needs a dataset with natural partners: an error naming the option, before training. */
export function checkPairs(cfg: { pairs: boolean }, data: ImageDataset, flag: (name: string) => string = flagOf): void {
  if (cfg.pairs && !data.partner) throw new OptionError(`${flag('pairs')}: ${data.name} has no natural positive pairs (emoji has: the two vendors' drawings); use ${flag('pairs')} false`);
}
