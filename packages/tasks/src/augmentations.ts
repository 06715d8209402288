// The augmentation recipes of the methods (policy): which ops of @pretext/kernels' pipeline run,
// with what strengths, per method and dataset.
import type { Pipeline } from '@pretext/kernels';

const C1_NOTE = 'For C = 1, saturation, hue and grayscale are no-ops; brightness and contrast apply.';
const ORDER_NOTE = 'Jitter order is fixed: brightness, contrast, saturation, hue.';

/** SimCLR (Chen et al. 2020, appendix A): jitter strength s → (0.8s, 0.8s, 0.8s, 0.2s). */
export function simclrPipeline(opts: { strength?: number; blur?: boolean } = {}): Pipeline {
  const s = opts.strength ?? 1;
  return {
    name: `simclr(s=${s})`,
    crop: { scale: [0.08, 1], ratio: [3 / 4, 4 / 3] },
    flip: { p: 0.5 },
    jitter: { brightness: 0.8 * s, contrast: 0.8 * s, saturation: 0.8 * s, hue: 0.2 * s, p: 0.8 },
    grayscale: { p: 0.2 },
    ...(opts.blur === false ? {} : { blur: { p: 0.5, sigma: [0.1, 2.0] as const, kernelFraction: 0.1 } }),
    description: `SimCLR: random resized crop (scale 0.08–1, ratio 3/4–4/3, bilinear), flip p=0.5, colour jitter (${0.8 * s}, ${0.8 * s}, ${0.8 * s}, ${0.2 * s}) p=0.8, grayscale p=0.2${opts.blur === false ? '' : ', gaussian blur σ∈[0.1, 2] with a kernel ≈10% of the image, p=0.5'}. ${ORDER_NOTE} ${C1_NOTE}`,
  };
}

/** MoCo v2 (Chen et al. 2020, "Improved baselines"). */
export function mocoV2Pipeline(): Pipeline {
  return {
    name: 'mocov2',
    crop: { scale: [0.2, 1], ratio: [3 / 4, 4 / 3] },
    jitter: { brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1, p: 0.8 },
    grayscale: { p: 0.2 },
    blur: { p: 0.5, sigma: [0.1, 2.0], kernelFraction: 0.1 },
    flip: { p: 0.5 },
    description: `MoCo v2: random resized crop (scale 0.2–1, ratio 3/4–4/3, bilinear), colour jitter (0.4, 0.4, 0.4, 0.1) p=0.8, grayscale p=0.2, gaussian blur σ∈[0.1, 2] p=0.5, flip p=0.5 (flip runs right after the crop here; it commutes with the colour ops and, being a mirror, with the symmetric blur). ${ORDER_NOTE} ${C1_NOTE}`,
  };
}

/**
 * SimCLR's recipe for a dataset. Fashion-MNIST is grayscale: saturation, hue and random grayscale
 * do nothing there, so the jitter reduces to brightness and contrast; 28×28 images take crops of
 * at least 20% (as for CIFAR-size inputs), and blur is off at this size (the paper drops it for
 * CIFAR-10).
 */
export function simclrAugmentation(dataset: string, jitter: number): Pipeline {
  const p = simclrPipeline({ strength: jitter, blur: dataset !== 'fashion-mnist' });
  if (dataset !== 'fashion-mnist') return p;
  return {
    ...p,
    name: `simclr-gray(s=${jitter})`,
    crop: { scale: [0.2, 1], ratio: [3 / 4, 4 / 3] },
    jitter: { brightness: 0.8 * jitter, contrast: 0.8 * jitter, saturation: 0, hue: 0, p: 0.8 },
    grayscale: undefined,
    description: `SimCLR for grayscale 28×28: random resized crop (scale 0.2–1, ratio 3/4–4/3), flip p=0.5, brightness and contrast jitter ${0.8 * jitter} with p=0.8 (saturation, hue and grayscale are no-ops on one channel), no blur.`,
  };
}

/** MoCo v2's recipe for a dataset (on grayscale Fashion-MNIST, SimCLR's grayscale recipe at s = 0.5). */
export function mocoAugmentation(dataset: string): Pipeline {
  return dataset === 'fashion-mnist' ? simclrAugmentation('fashion-mnist', 0.5) : mocoV2Pipeline();
}
