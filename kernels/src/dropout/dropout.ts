// Dropout with a counter-based mask: forward and backward are the same kernel, the backward
// regenerating the mask from (seed, stream) instead of storing it. Use a new stream (or seed)
// per layer and step, and the same one for a layer's forward and backward.
import { check, checkArray, checkNonEmpty, checkU32, type Gpu, type GpuArray, grid1d, numel, outArray, params } from '@pretext/gpu';
import source from './dropout.wgsl.js';

export interface DropoutOptions {
  seed: number;
  stream?: number;
  out?: GpuArray;
}

function launch(gpu: Gpu, kernel: string, x: GpuArray, p: number, opts: DropoutOptions, name: string): GpuArray {
  checkArray(gpu, kernel, name, x);
  checkNonEmpty(kernel, name, x.shape);
  // p = 1 is allowed (all zeros, as torch.nn.functional.dropout); only outside [0, 1] is an error
  check(typeof p === 'number' && p >= 0 && p <= 1, kernel, 'p', () => `must be in [0, 1], got ${p}`);
  const { seed, stream = 0 } = opts;
  checkU32(kernel, 'seed', seed);
  checkU32(kernel, 'stream', stream);
  const out = outArray(gpu, kernel, x.shape, opts.out, { flat: true });
  const n = numel(x.shape);
  const pairs = Math.ceil(n / 2);
  gpu.dispatch({
    kernel,
    pipeline: gpu.pipeline('dropout', source),
    params: params().u32(n).u32(seed).u32(stream).f32(p).f32(p === 1 ? 0 : 1 / (1 - p)).bytes,
    buffers: [x, out],
    workgroups: grid1d(Math.ceil(pairs / 256), gpu.limits.maxComputeWorkgroupsPerDimension),
    // Threefry-2x32-20: ~25 integer ops per round pair → ~60 per element; plus the multiply
    flops: 60 * n,
    bytes: 8 * n,
  });
  return out;
}

/** y = x · mask / (1 − p); p = 0 is the identity, p = 1 gives zeros. */
export function dropout(gpu: Gpu, x: GpuArray, p: number, opts: DropoutOptions): GpuArray {
  return launch(gpu, 'dropout', x, p, opts, 'x');
}

/** dx = dy · mask / (1 − p), the mask regenerated from the forward's (seed, stream). */
export function dropoutBackward(gpu: Gpu, dy: GpuArray, p: number, opts: DropoutOptions): GpuArray {
  return launch(gpu, 'dropout.backward', dy, p, opts, 'dy');
}
