// Inputs for the augment tests and bench: pipelines that switch on every op with strong and mild
// settings. The SSL recipes themselves (SimCLR, MoCo v2) are policy and live in @pretext/tasks.
import type { Pipeline } from './pipeline.js';

/** Every op but solarize, jitter strength s: (0.8s, 0.8s, 0.8s, 0.2s) p=0.8, crop scale 0.08–1. */
export function strongPipeline(s = 1): Pipeline {
  return {
    name: `strong(s=${s})`,
    crop: { scale: [0.08, 1], ratio: [3 / 4, 4 / 3] },
    flip: { p: 0.5 },
    jitter: { brightness: 0.8 * s, contrast: 0.8 * s, saturation: 0.8 * s, hue: 0.2 * s, p: 0.8 },
    grayscale: { p: 0.2 },
    blur: { p: 0.5, sigma: [0.1, 2.0], kernelFraction: 0.1 },
    description: 'every op but solarize, strong settings',
  };
}

/** Every op but solarize, mild settings: crop scale 0.2–1, jitter (0.4, 0.4, 0.4, 0.1). */
export function mildPipeline(): Pipeline {
  return {
    name: 'mild',
    crop: { scale: [0.2, 1], ratio: [3 / 4, 4 / 3] },
    jitter: { brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1, p: 0.8 },
    grayscale: { p: 0.2 },
    blur: { p: 0.5, sigma: [0.1, 2.0], kernelFraction: 0.1 },
    flip: { p: 0.5 },
    description: 'every op but solarize, mild settings',
  };
}
