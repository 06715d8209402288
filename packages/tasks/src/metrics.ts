// Online training metrics the methods share.
import { mean, noGrad, rsqrt, sqrt, square, sub, sum, type Tensor } from '@pretext/core';

/**
 * Collapse detector (Chen & He 2021): z̄ = z/‖z‖ per row, std over the batch per dim, averaged over
 * dims. ≈ 1/√d for well-spread embeddings, → 0 when they collapse to a point.
 */
export function embeddingStd(z: Tensor): Tensor {
  return noGrad(() => {
    const zn = z.mul(rsqrt(sum(square(z), -1, true).add(1e-12))); // (B, d)
    const centred = sub(zn, mean(zn, 0, true)); // (B, d)
    return mean(sqrt(mean(square(centred), 0))); // scalar
  });
}

