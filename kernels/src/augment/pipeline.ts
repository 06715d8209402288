// Augmentation pipelines as data, and the per-sample parameters they draw.
//
// A pipeline applies, in this fixed order, whichever of these it names:
//   random resized crop → horizontal flip → colour jitter (brightness, contrast, saturation, hue,
//   in that fixed order, not torchvision's random order) → grayscale → gaussian blur → solarize.
// Every random choice of sample s comes from the counter-based RNG (@pretext/random) with key
// (seed, stream of the op) and counter (s, draw), drawn here on the CPU and uploaded: the GPU
// launch and the CPU reference see the very same numbers, and a one-op pipeline with the same
// seed draws exactly what that op draws inside a longer pipeline (fused == sequential).
import { rand2 } from '@pretext/random';

export interface CropSpec {
  /** Fraction of the source area, in (0, 1]. */
  scale: readonly [number, number];
  /** Aspect ratio w/h range, > 0. */
  ratio: readonly [number, number];
}
export interface JitterSpec {
  brightness: number;
  contrast: number;
  saturation: number;
  hue: number;
  /** Probability that a sample is jittered at all. */
  p: number;
}
export interface BlurSpec {
  p: number;
  sigma: readonly [number, number];
  /** Odd taps; default: ⌊kernelFraction·size⌋ made odd, size = min(outH, outW). */
  kernelSize?: number;
  kernelFraction?: number;
}
export interface Pipeline {
  name: string;
  crop?: CropSpec;
  flip?: { p: number };
  jitter?: JitterSpec;
  grayscale?: { p: number };
  blur?: BlurSpec;
  solarize?: { p: number; threshold: number };
  /** What the pipeline does, for a reader. */
  description: string;
}

/** RNG streams, one per op, so an op draws the same numbers alone or inside any pipeline. */
export const STREAM = { crop: 1, flip: 2, jitter: 3, grayscale: 4, blur: 5, solarize: 6, rotate: 7, jigsaw: 8, patches: 9 } as const;

/** Floats per sample in the parameter buffer (see the slots below). */
export const SLOTS = 16;
//  0..3  crop box in source pixels: y0, x0, h, w
//  4     flip (0/1)
//  5     jitter on (0/1);  6 brightness, 7 contrast, 8 saturation factors, 9 hue shift
//  10    grayscale (0/1)
//  11    blur σ (0 = no blur)
//  12    solarize (0/1)
//  13    mean gray after brightness (written by the contrast pre-pass)

/** torchvision's RandomResizedCrop.get_params: 10 attempts, then the centre-crop fallback. */
export function drawCrop(spec: CropSpec, seed: number, s: number, h: number, w: number): [number, number, number, number] {
  const area = h * w;
  const [lr0, lr1] = [Math.log(spec.ratio[0]), Math.log(spec.ratio[1])];
  for (let attempt = 0; attempt < 10; attempt++) {
    const [u0, u1] = rand2(seed, STREAM.crop, s, attempt);
    const target = area * (spec.scale[0] + (spec.scale[1] - spec.scale[0]) * u0);
    const aspect = Math.exp(lr0 + (lr1 - lr0) * u1);
    const cw = Math.round(Math.sqrt(target * aspect));
    const ch = Math.round(Math.sqrt(target / aspect));
    if (cw > 0 && cw <= w && ch > 0 && ch <= h) {
      const [u2, u3] = rand2(seed, STREAM.crop, s, 10 + attempt);
      return [Math.floor(u2 * (h - ch + 1)), Math.floor(u3 * (w - cw + 1)), ch, cw];
    }
  }
  const inRatio = w / h;
  let cw = w;
  let ch = h;
  if (inRatio < spec.ratio[0]) ch = Math.round(w / spec.ratio[0]);
  else if (inRatio > spec.ratio[1]) cw = Math.round(h * spec.ratio[1]);
  ch = Math.min(Math.max(ch, 1), h);
  cw = Math.min(Math.max(cw, 1), w);
  return [Math.floor((h - ch) / 2), Math.floor((w - cw) / 2), ch, cw];
}

/** Blur taps for an output of oh×ow: given, or ⌊fraction·min(oh, ow)⌋ made odd (≥ 3). */
export function blurTaps(spec: BlurSpec, oh: number, ow: number): number {
  if (spec.kernelSize !== undefined) return spec.kernelSize;
  const k = Math.floor((spec.kernelFraction ?? 0.1) * Math.min(oh, ow));
  return Math.max(3, k % 2 === 0 ? k + 1 : k);
}

/**
 * Per-sample parameters (samples × SLOTS floats) for `samples` samples drawn from a source of
 * h×w. Sample s of view v of image n is s = v·N + n.
 */
export function drawParams(p: Pipeline, seed: number, samples: number, h: number, w: number): Float32Array {
  const out = new Float32Array(samples * SLOTS);
  const u = (stream: number, s: number, draw: number) => rand2(seed, stream, s, draw);
  for (let s = 0; s < samples; s++) {
    const o = s * SLOTS;
    const [y0, x0, ch, cw] = p.crop ? drawCrop(p.crop, seed, s, h, w) : [0, 0, h, w];
    out.set([y0, x0, ch, cw], o);
    if (p.flip) out[o + 4] = u(STREAM.flip, s, 0)[0] < p.flip.p ? 1 : 0;
    if (p.jitter) {
      const j = p.jitter;
      const [a, b] = u(STREAM.jitter, s, 0);
      const [c, d] = u(STREAM.jitter, s, 1);
      const [e] = u(STREAM.jitter, s, 2);
      const factor = (strength: number, r: number) => Math.max(0, 1 - strength) + (1 + strength - Math.max(0, 1 - strength)) * r;
      out[o + 5] = a < j.p ? 1 : 0;
      out[o + 6] = factor(j.brightness, b);
      out[o + 7] = factor(j.contrast, c);
      out[o + 8] = factor(j.saturation, d);
      out[o + 9] = -j.hue + 2 * j.hue * e;
    }
    if (p.grayscale) out[o + 10] = u(STREAM.grayscale, s, 0)[0] < p.grayscale.p ? 1 : 0;
    if (p.blur) {
      const [a, b] = u(STREAM.blur, s, 0);
      out[o + 11] = a < p.blur.p ? p.blur.sigma[0] + (p.blur.sigma[1] - p.blur.sigma[0]) * b : 0;
    }
    if (p.solarize) out[o + 12] = u(STREAM.solarize, s, 0)[0] < p.solarize.p ? 1 : 0;
  }
  return out;
}

/** (samples, k) gaussian taps for each sample's σ (slot 11), normalised to sum 1; zeros where σ = 0. */
export function gaussianTaps(params: Float32Array, samples: number, k: number): Float32Array {
  const taps = new Float32Array(samples * k);
  const r = (k - 1) / 2;
  for (let s = 0; s < samples; s++) {
    const sigma = params[s * SLOTS + 11];
    if (!(sigma > 0)) continue;
    const w = Array.from({ length: k }, (_, t) => Math.exp(-((t - r) ** 2) / (2 * sigma * sigma)));
    const sum = w.reduce((a, b) => a + b, 0);
    for (let t = 0; t < k; t++) taps[s * k + t] = w[t] / sum;
  }
  return taps;
}
