// What colorization needs besides its loss, as ops on the GPU: the gray input, decoding a
// distribution over ab bins to one ab per pixel, and the measures of a colouring (ab error,
// chroma, colourfulness). No gradient flows through any of them.
import { add, labToRgb, matmul, mean, mul, permute, relu, reshape, rgbToLab, slice, softmax, sqrt, square, sub, sum, type Tensor } from '@pretext/core';

/** RGB images with their colour removed: (L, 0, 0) back to RGB, (N, 3, H, W). keepL is [1, 0, 0] as (1, 3, 1, 1). */
export function grayOf(rgb: Tensor, keepL: Tensor): Tensor {
  return labToRgb(mul(rgbToLab(rgb), keepL));
}

/**
 * Zhang et al.'s annealed mean: the expected bin centre under softmax(log p / T) = softmax(logits / T)
 * over the bins, per pixel. logits (N, Q, h, w), centres (Q, 2) → ab (N, 2, h, w). T = 1 is the
 * mean (desaturated where the distribution is multimodal), T → 0 the mode (vivid but patchy).
 */
export function annealedMean(logits: Tensor, centres: Tensor, temperature: number): Tensor {
  const [n, q, h, w] = logits.shape;
  const p = softmax(permute(logits, [0, 2, 3, 1]), { scale: 1 / temperature }); // (N, h, w, Q)
  const ab = matmul(reshape(p, [n * h * w, q]), centres); // (N·h·w, 2)
  return permute(reshape(ab, [n, h, w, 2]), [0, 3, 1, 2]); // (N, 2, h, w)
}

/** ‖u − v‖ over axis 1 (the ab pair) per pixel, (N, 2, H, W) → (N, H, W). */
export const abDistance = (u: Tensor, v: Tensor): Tensor => sqrt(sum(square(sub(u, v)), 1));

/** Chroma √(a² + b²) per pixel, (N, 2, H, W) → (N, H, W). */
export const chroma = (ab: Tensor): Tensor => sqrt(sum(square(ab), 1));

/**
 * Hasler & Süsstrunk (2003) colourfulness of each RGB image on the 0–255 scale, (N, 3, H, W) → (N):
 * rg = R − G, yb = (R + G)/2 − B, M = √(σ_rg² + σ_yb²) + 0.3·√(μ_rg² + μ_yb²) (0 for gray; ~15
 * "slightly", ~60 "quite", > 109 "extremely colourful" in their scale).
 */
export function colourfulness(rgb: Tensor): Tensor {
  const [r, g, b] = [0, 1, 2].map((c) => mul(slice(rgb, 1, c, c + 1), 255)); // (N, 1, H, W) each
  const rg = sub(r, g);
  const yb = sub(mul(add(r, g), 0.5), b);
  const mu = (t: Tensor) => mean(t, [1, 2, 3]); // (N)
  const variance = (t: Tensor) => relu(sub(mean(square(t), [1, 2, 3]), square(mu(t)))); // ≥ 0 despite rounding
  return add(sqrt(add(variance(rg), variance(yb))), mul(sqrt(add(square(mu(rg)), square(mu(yb)))), 0.3));
}
