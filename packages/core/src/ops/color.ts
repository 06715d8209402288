// Colour spaces of image batches (no gradient): sRGB in [0, 1] ↔ CIELAB (L ∈ [0, 100], a, b),
// D65 white. Colorization predicts ab from L.
import { fmt, ShapeError } from '../shape.js';
import { Tensor } from '../tensor.js';
import { mul } from './elementwise.js';
import { slice } from './shape.js';

function convert(op: string, images: Tensor, toLab: boolean): Tensor {
  if (images.rank !== 4 || images.shape[1] !== 3 || images.dtype !== 'f32') throw new ShapeError(op, `images must be f32 (N, 3, H, W), got ${images.dtype} ${fmt(images.shape)}`);
  return new Tensor(images.backend.lab(images.storage, toLab), images.backend);
}

/** sRGB (N, 3, H, W) in [0, 1] → (L, a, b) planes. */
export const rgbToLab = (images: Tensor): Tensor => convert('rgbToLab', images, true);

/** (L, a, b) planes → sRGB in [0, 1] (out-of-gamut colours clamped). */
export const labToRgb = (images: Tensor): Tensor => convert('labToRgb', images, false);

/** L/100 of sRGB images, (N, 3, H, W) → (N, 1, H, W) in [0, 1]: what a colorization network sees. */
export const lightness = (images: Tensor): Tensor => mul(slice(rgbToLab(images), 1, 0, 1), 0.01);
