// Launcher for augmentation pipelines and the single ops built from them.
// Small images (a sample's C·OH·OW floats fit twice in workgroup memory): one pass, a workgroup
// per sample (entry `sample`). Larger: [contrast pre-pass, if jitter] → fused crop/flip/jitter/
// grayscale(/solarize) pass → [blur horizontal → blur vertical (+ solarize), if blur].
// Per-sample parameters are drawn on the CPU (pipeline.ts, from @pretext/random) and uploaded, so
// GPU and CPU reference agree exactly.
import { check, checkU32, type Gpu, type GpuArray, grid1d, outArray, params } from '@pretext/gpu';
import { checkImages } from './images.js';
import source from './augment.wgsl.js';
import blurSource from './blur.wgsl.js';
import { type BlurSpec, blurTaps, type CropSpec, drawParams, gaussianTaps, type JitterSpec, type Pipeline, SLOTS } from './pipeline.js';

export interface AugmentOptions {
  /** Integer in [0, 2^32): same seed → same batch, bit for bit. */
  seed: number;
  /** Output height and width (default: the input's). Only a crop may change the size. */
  outSize?: number | readonly [number, number];
  /** Views per image, stacked view-major: output row v·N + n is view v of image n. */
  views?: number;
  out?: GpuArray;
  /** 'sample': one pass, a workgroup per sample; 'passes': pixel-parallel passes. Default: 'sample' when it fits. */
  strategy?: 'sample' | 'passes';
}

/** Lanes per workgroup of entry `sample` (its override WG), also the floats of its reduction array. */
export const augmentTuning = { sampleLanes: 32 };

const prob = (kernel: string, name: string, p: number) =>
  check(p >= 0 && p <= 1, kernel, name, () => `probability must be in [0, 1], got ${p}`);

/** Throws a KernelInputError naming the first bad field of a pipeline. */
export function checkPipeline(kernel: string, p: Pipeline): void {
  const range = (name: string, r: readonly [number, number], ok: (v: number) => boolean, what: string) =>
    check(r.length === 2 && ok(r[0]) && ok(r[1]) && r[0] <= r[1], kernel, name, () => `must be [lo, hi] with lo ≤ hi, both ${what}, got [${r.join(', ')}]`);
  if (p.crop) {
    range('crop.scale', p.crop.scale, (v) => v > 0 && v <= 1, 'in (0, 1]');
    range('crop.ratio', p.crop.ratio, (v) => v > 0 && Number.isFinite(v), 'finite and > 0');
  }
  if (p.flip) prob(kernel, 'flip.p', p.flip.p);
  if (p.jitter) {
    const j = p.jitter;
    prob(kernel, 'jitter.p', j.p);
    for (const k of ['brightness', 'contrast', 'saturation'] as const) {
      check(j[k] >= 0 && Number.isFinite(j[k]), kernel, `jitter.${k}`, () => `must be finite and ≥ 0, got ${j[k]}`);
    }
    check(j.hue >= 0 && j.hue <= 0.5, kernel, 'jitter.hue', () => `must be in [0, 0.5], got ${j.hue}`);
  }
  if (p.grayscale) prob(kernel, 'grayscale.p', p.grayscale.p);
  if (p.blur) {
    prob(kernel, 'blur.p', p.blur.p);
    range('blur.sigma', p.blur.sigma, (v) => v > 0 && Number.isFinite(v), 'finite and > 0');
    const k = p.blur.kernelSize;
    check(k === undefined || (Number.isInteger(k) && k > 0 && k % 2 === 1 && k <= 255), kernel, 'blur.kernelSize', () => `must be an odd integer in [1, 255], got ${k}`);
  }
  if (p.solarize) {
    prob(kernel, 'solarize.p', p.solarize.p);
    check(Number.isFinite(p.solarize.threshold), kernel, 'solarize.threshold', () => `must be finite, got ${p.solarize?.threshold}`);
  }
}

/** Runs `pipeline` on (N, C, H, W) images in [0, 1]; returns (views·N, C, outH, outW). */
export function augment(gpu: Gpu, images: GpuArray, pipeline: Pipeline, opts: AugmentOptions): GpuArray {
  const kernel = `augment.${pipeline.name}`;
  const [n, c, h, w] = checkImages(gpu, kernel, images);
  checkPipeline(kernel, pipeline);
  checkU32(kernel, 'seed', opts.seed);
  const views = opts.views ?? 1;
  check(Number.isInteger(views) && views >= 1, kernel, 'views', () => `must be an integer ≥ 1, got ${views}`);
  const [oh, ow] = typeof opts.outSize === 'number' ? [opts.outSize, opts.outSize] : (opts.outSize ?? [h, w]);
  check(Number.isInteger(oh) && Number.isInteger(ow) && oh > 0 && ow > 0, kernel, 'outSize', () => `must be positive integers, got [${oh}, ${ow}]`);
  check(pipeline.crop || (oh === h && ow === w), kernel, 'outSize', () => `[${oh}, ${ow}] differs from the input's [${h}, ${w}] but the pipeline has no crop to resize`);
  const samples = views * n;
  const shape = [samples, c, oh, ow];
  const out = outArray(gpu, kernel, shape, opts.out);

  const drawn = drawParams(pipeline, opts.seed, samples, h, w);
  const sp = gpu.upload(drawn, [samples, SLOTS], `${kernel}.params`);
  const blur = pipeline.blur;
  const solarizeLast = pipeline.solarize !== undefined;
  const consts = {
    C: c,
    CROP: pipeline.crop ? 1 : 0,
    FLIP: pipeline.flip ? 1 : 0,
    JITTER: pipeline.jitter ? 1 : 0,
    GRAY: pipeline.grayscale ? 1 : 0,
    SOLARIZE: solarizeLast && !blur ? 1 : 0,
  };
  const threshold = pipeline.solarize?.threshold ?? 0;
  const k = blur ? blurTaps(blur, oh, ow) : 0;
  const uniforms = params().u32(samples).u32(n).u32(h).u32(w).u32(oh).u32(ow).f32(threshold).u32(k).bytes;
  const pixels = samples * oh * ow;
  const maxDim = gpu.limits.maxComputeWorkgroupsPerDimension;
  // two (C, OH, OW) tiles, rounded up to 256 floats so few sizes compile, + the reduction array
  const tile = Math.ceil((c * oh * ow) / 256) * 256;
  const fits = (2 * tile + augmentTuning.sampleLanes) * 4 <= gpu.limits.maxComputeWorkgroupStorageSize;
  check(opts.strategy !== 'sample' || fits, kernel, 'strategy', () => `'sample' needs ${(2 * tile + augmentTuning.sampleLanes) * 4} bytes of workgroup memory for ${c}×${oh}×${ow}, the adapter has ${gpu.limits.maxComputeWorkgroupStorageSize}`);
  if ((opts.strategy ?? (fits ? 'sample' : 'passes')) === 'sample') {
    const taps = gpu.upload(blur ? gaussianTaps(drawn, samples, k) : new Float32Array(1), blur ? [samples, k] : [1], `${kernel}.taps`);
    const name = `${kernel}.sample`;
    gpu.dispatch({
      kernel: name,
      pipeline: gpu.pipeline(name, source, { ...consts, SOLARIZE: solarizeLast ? 1 : 0, BLUR: blur ? 1 : 0, TILE: tile, WG: augmentTuning.sampleLanes }, 'sample'),
      params: uniforms,
      buffers: [images, sp, out, taps],
      workgroups: grid1d(samples, maxDim),
      flops: pixels * (c * 9 + (pipeline.jitter ? 72 : 0) + (blur ? 4 * c * k : 0)),
      bytes: pixels * c * 20,
    });
    gpu.free(taps);
    gpu.free(sp);
    return out;
  }
  if (pipeline.jitter) {
    gpu.dispatch({
      kernel: `${kernel}.stats`,
      pipeline: gpu.pipeline(`${kernel}.stats`, source, consts, 'stats'),
      params: uniforms,
      buffers: [images, sp],
      workgroups: grid1d(Math.ceil(samples / 64), maxDim),
      flops: pixels * c * 12,
      bytes: pixels * c * 16 + samples * 4,
    });
  }
  const mid = blur ? gpu.empty(shape, 'f32', `${kernel}.mid`) : out;
  gpu.dispatch({
    kernel: `${kernel}.pixels`,
    pipeline: gpu.pipeline(`${kernel}.pixels`, source, consts),
    params: uniforms,
    buffers: [images, sp, mid],
    workgroups: grid1d(Math.ceil(pixels / 256), maxDim),
    // bilinear: 4 taps × 3 lerps per channel; jitter + HSV round trip ≈ 60 per pixel
    flops: pixels * (c * 9 + (pipeline.jitter ? 60 : 0)),
    bytes: pixels * c * 20,
  });
  if (blur) blurPasses(gpu, kernel, mid, sp, drawn, out, shape, blur, solarizeLast, threshold);
  if (mid !== out) gpu.free(mid);
  gpu.free(sp);
  return out;
}

function blurPasses(gpu: Gpu, kernel: string, x: GpuArray, sp: GpuArray, drawn: Float32Array, out: GpuArray, shape: number[], spec: BlurSpec, solarize: boolean, threshold: number): void {
  const [samples, c, h, w] = shape;
  const k = blurTaps(spec, h, w);
  const taps = gpu.upload(gaussianTaps(drawn, samples, k), [samples, k], `${kernel}.taps`);
  const tmp = gpu.empty(shape, 'f32', `${kernel}.blur`);
  const elements = samples * c * h * w;
  const uniforms = params().u32(samples).u32(c).u32(h).u32(w).u32(k).f32(threshold).bytes;
  const groups = grid1d(Math.ceil(elements / 256), gpu.limits.maxComputeWorkgroupsPerDimension);
  for (const axis of [0, 1]) {
    const name = `${kernel}.blur${axis === 0 ? 'H' : 'V'}`;
    gpu.dispatch({
      kernel: name,
      pipeline: gpu.pipeline(name, blurSource, { AXIS: axis, SOLARIZE: axis === 1 && solarize ? 1 : 0 }),
      params: uniforms,
      buffers: [axis === 0 ? x : tmp, sp, axis === 0 ? tmp : out, taps],
      workgroups: groups,
      flops: elements * k * 2,
      bytes: elements * 8,
    });
  }
  gpu.free(tmp);
  gpu.free(taps);
}

type OpOptions = Omit<AugmentOptions, 'views'>;

/** Random resized crop to `outSize` (torchvision's get_params, bilinear without antialias). */
export function randomResizedCrop(gpu: Gpu, x: GpuArray, opts: OpOptions & Partial<CropSpec>): GpuArray {
  const crop = { scale: opts.scale ?? [0.08, 1], ratio: opts.ratio ?? [3 / 4, 4 / 3] } as const;
  return augment(gpu, x, { name: 'crop', crop, description: 'random resized crop' }, opts);
}

export function randomHorizontalFlip(gpu: Gpu, x: GpuArray, opts: { seed: number; p?: number; out?: GpuArray }): GpuArray {
  return augment(gpu, x, { name: 'flip', flip: { p: opts.p ?? 0.5 }, description: 'horizontal flip' }, opts);
}

/** Colour jitter in the fixed order brightness → contrast → saturation → hue, with probability p. */
export function colorJitter(gpu: Gpu, x: GpuArray, opts: { seed: number; out?: GpuArray } & Partial<JitterSpec>): GpuArray {
  const jitter = { brightness: opts.brightness ?? 0, contrast: opts.contrast ?? 0, saturation: opts.saturation ?? 0, hue: opts.hue ?? 0, p: opts.p ?? 1 };
  return augment(gpu, x, { name: 'jitter', jitter, description: 'colour jitter' }, opts);
}

/** Gray (0.299 R + 0.587 G + 0.114 B, repeated in 3 channels) with probability p; C = 1 is a no-op. */
export function randomGrayscale(gpu: Gpu, x: GpuArray, opts: { seed: number; p?: number; out?: GpuArray }): GpuArray {
  return augment(gpu, x, { name: 'grayscale', grayscale: { p: opts.p ?? 0.1 }, description: 'grayscale' }, opts);
}

export function gaussianBlur(gpu: Gpu, x: GpuArray, opts: { seed: number; out?: GpuArray } & Partial<BlurSpec>): GpuArray {
  const blur = { p: opts.p ?? 1, sigma: opts.sigma ?? [0.1, 2], kernelSize: opts.kernelSize, kernelFraction: opts.kernelFraction };
  return augment(gpu, x, { name: 'blur', blur, description: 'gaussian blur' }, opts);
}

/** x ≥ threshold → 1 − x, with probability p. */
export function randomSolarize(gpu: Gpu, x: GpuArray, opts: { seed: number; p?: number; threshold?: number; out?: GpuArray }): GpuArray {
  return augment(gpu, x, { name: 'solarize', solarize: { p: opts.p ?? 0.5, threshold: opts.threshold ?? 0.5 }, description: 'solarize' }, opts);
}
