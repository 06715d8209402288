// Resize of NCHW images to (Ho, Wo), nearest or bilinear (PyTorch's F.interpolate with
// align_corners = False), forward and backward: validate → pipeline (mode as an override) → launch.
import { check, checkArray, checkNonEmpty, type Gpu, type GpuArray, numel, outArray, params, shapeString } from '@pretext/gpu';
import source from './upsample.wgsl.js';

export const UPSAMPLE_MODES = { nearest: 0, bilinear: 1 } as const;
export type UpsampleMode = keyof typeof UPSAMPLE_MODES;

export interface UpsampleOptions {
  /** (Ho, Wo), any positive sizes (smaller than the input too: the same formula, no antialiasing). */
  size: readonly [number, number];
  mode: UpsampleMode;
}

/** Checks x's shape (N, C, H, W) and the options; the output shape (N, C, Ho, Wo). */
function geometry(kernel: string, xShape: readonly number[], o: UpsampleOptions): { dims: number[]; outShape: number[] } {
  check(xShape.length === 4, kernel, 'x', () => `must be rank 4 (N, C, H, W), got ${shapeString(xShape)}`);
  checkNonEmpty(kernel, 'x', xShape);
  check(o.mode in UPSAMPLE_MODES, kernel, 'mode', () => `must be one of ${Object.keys(UPSAMPLE_MODES).join(', ')}, got '${o.mode}'`);
  const [ho, wo] = o.size;
  check(o.size.length === 2 && [ho, wo].every((v) => Number.isInteger(v) && v >= 1), kernel, 'size', () => `must be two positive integers (Ho, Wo), got [${o.size.join(', ')}]`);
  const [n, c, h, w] = xShape;
  // the taps' numerators, (2·o + 1)·n_in, stay exact in f32 (see upsample.wgsl)
  const exact = (a: number, b: number) => (2 * a + 3) * b < 2 ** 24;
  check(exact(ho, h) && exact(h, ho) && exact(wo, w) && exact(w, wo), kernel, 'size', () => `${h}×${w} → ${ho}×${wo} is too large: (2·a + 3)·b must stay below 2^24 for a side of a → b and b → a`);
  return { dims: [n * c, h, w, ho, wo], outShape: [n, c, ho, wo] };
}

/** One invocation per (column, row, plane) of `grid` = (W, H) of the written array, planes in chunks the z limit allows. */
function launch(gpu: Gpu, kernel: string, entry: string, mode: UpsampleMode, dims: number[], grid: [number, number], buffers: GpuArray[], flops: number, bytes: number): void {
  const [planes, h, w, ho, wo] = dims;
  const maxZ = gpu.limits.maxComputeWorkgroupsPerDimension;
  for (let plane0 = 0; plane0 < planes; plane0 += maxZ) {
    const chunk = Math.min(maxZ, planes - plane0);
    gpu.dispatch({
      kernel,
      pipeline: gpu.pipeline(kernel, source, { MODE: UPSAMPLE_MODES[mode] }, entry),
      params: params().u32(plane0).u32(chunk).u32(h).u32(w).u32(ho).u32(wo).bytes,
      buffers,
      workgroups: [Math.ceil(grid[0] / 8), Math.ceil(grid[1] / 8), chunk],
      flops: (flops * chunk) / planes,
      bytes: (bytes * chunk) / planes,
    });
  }
}

/** y (N, C, Ho, Wo) from x (N, C, H, W). */
export function upsample2d(gpu: Gpu, x: GpuArray, opts: UpsampleOptions & { out?: GpuArray }): GpuArray {
  const kernel = `upsample.${opts.mode}`;
  const { dims, outShape } = geometry(kernel, x.shape, opts);
  checkArray(gpu, kernel, 'x', x);
  const y = outArray(gpu, kernel, outShape, opts.out);
  const m = numel(outShape);
  // 3 lerps (6 FLOPs) per output; x is read about once (neighbouring outputs share taps in cache)
  launch(gpu, kernel, 'forward', opts.mode, dims, [outShape[3], outShape[2]], [x, y], 6 * m, 4 * (numel(x.shape) + m));
  return y;
}

/** dx (N, C, H, W) from dy (N, C, Ho, Wo): the adjoint of upsample2d. */
export function upsample2dBackward(gpu: Gpu, dy: GpuArray, xShape: readonly number[], opts: UpsampleOptions & { out?: GpuArray }): GpuArray {
  const kernel = `upsample.${opts.mode}_backward`;
  const { dims, outShape } = geometry(kernel, xShape, opts);
  checkArray(gpu, kernel, 'dy', dy, outShape);
  const dx = outArray(gpu, kernel, xShape, opts.out);
  const n = numel(xShape);
  const m = numel(outShape);
  // each dy element reaches up to 4 inputs with one multiply-add each
  launch(gpu, kernel, 'backward', opts.mode, dims, [xShape[3], xShape[2]], [dy, dx], 8 * m, 4 * (n + m));
  return dx;
}
