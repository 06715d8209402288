// sRGB ↔ CIELAB (D65) for (N, 3, H, W) images; Lab is what colorization predicts (ab from L).
import { check, type Gpu, type GpuArray, grid1d, outArray, params, shapeString } from '@pretext/gpu';
import { checkImages } from '../images.js';
import source from './lab.wgsl.js';

function convert(gpu: Gpu, kernel: string, dir: number, x: GpuArray, out?: GpuArray): GpuArray {
  const [n, c, h, w] = checkImages(gpu, kernel, x);
  check(c === 3, kernel, 'images', () => `needs 3 channels, got ${c} in ${shapeString(x.shape)}`);
  const y = outArray(gpu, kernel, x.shape, out);
  const pixels = n * h * w;
  gpu.dispatch({
    kernel,
    pipeline: gpu.pipeline(kernel, source, { DIR: dir }),
    params: params().u32(n).u32(h * w).bytes,
    buffers: [x, y],
    workgroups: grid1d(Math.ceil(pixels / 256), gpu.limits.maxComputeWorkgroupsPerDimension),
    flops: pixels * 60, // 3 gamma pows, a 3×3 matrix, 3 cube roots, a few fmas
    bytes: pixels * 24,
  });
  return y;
}

/** sRGB in [0, 1] → (L ∈ [0, 100], a, b). */
export function rgbToLab(gpu: Gpu, x: GpuArray, opts: { out?: GpuArray } = {}): GpuArray {
  return convert(gpu, 'augment.rgbToLab', 0, x, opts.out);
}

/** (L, a, b) → sRGB, clamped to [0, 1]. */
export function labToRgb(gpu: Gpu, x: GpuArray, opts: { out?: GpuArray } = {}): GpuArray {
  return convert(gpu, 'augment.labToRgb', 1, x, opts.out);
}
