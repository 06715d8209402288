// GPU augmentation of image batches (no gradient): each sample gets its own random parameters
// from the counter-based RNG, so a batch is reproducible from its seed on every backend.
import type { AugmentPipeline } from '../backend.js';
import { fmt, ShapeError } from '../shape.js';
import { Tensor } from '../tensor.js';

export function augment(images: Tensor, pipeline: AugmentPipeline, opts: { seed: number; outSize?: [number, number]; views?: number }): Tensor {
  if (images.rank !== 4 || (images.shape[1] !== 1 && images.shape[1] !== 3)) throw new ShapeError('augment', `images must be (N, C, H, W) with C = 1 or 3, got ${fmt(images.shape)}`);
  const out = opts.outSize ?? [images.shape[2], images.shape[3]];
  return new Tensor(images.backend.augment(images.storage, pipeline, opts.seed >>> 0, out, opts.views ?? 1), images.backend);
}
