// Online training metrics shared by the contrastive tasks.
import { mean, noGrad, rsqrt, sqrt, square, sub, sum, type Tensor } from '@pretext/core';
import type { StepMetrics } from './task.js';

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

/** A step's only readback: the kept loss, accuracy and collapse std, then frees them. */
export async function readMetrics(out: { loss: Tensor; accuracy: Tensor; std: Tensor }, lr: number): Promise<StepMetrics> {
  const [loss, accuracy, std] = await Promise.all([out.loss.item(), out.accuracy.item(), out.std.item()]);
  for (const t of [out.loss, out.accuracy, out.std]) t.dispose();
  return { loss, accuracy, embeddingStd: std, lr };
}
