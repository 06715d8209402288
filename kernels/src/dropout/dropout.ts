// Dropout with a counter-based mask: forward and backward are the same kernel, the backward
// regenerating the mask from (seed, stream) instead of storing it. Use a new stream (or seed)
// per layer and step, and the same one for a layer's forward and backward.
import { check, type Gpu, type GpuArray, grid1d, numel, params, shapeString } from '@pretext/gpu';
import { RNG_WGSL } from '../rng/random.js';
import source from './dropout.wgsl.js';

export interface DropoutOptions {
  seed: number;
  stream?: number;
  out?: GpuArray;
}

function launch(gpu: Gpu, kernel: string, x: GpuArray, p: number, opts: DropoutOptions, name: string): GpuArray {
  check(x.dtype === 'f32', kernel, name, () => `dtype must be f32, got ${x.dtype}`);
  const n = numel(x.shape);
  check(n > 0, kernel, name, () => `empty tensor ${shapeString(x.shape)}`);
  check(n * 4 <= gpu.limits.maxStorageBufferBindingSize, kernel, name, () => `${n * 4} bytes exceed maxStorageBufferBindingSize (${gpu.limits.maxStorageBufferBindingSize})`);
  // p = 1 is allowed (all zeros, as torch.nn.functional.dropout); only outside [0, 1] is an error
  check(typeof p === 'number' && p >= 0 && p <= 1, kernel, 'p', () => `must be in [0, 1], got ${p}`);
  const { seed, stream = 0 } = opts;
  check(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32, kernel, 'seed', () => `must be an integer in [0, 2^32), got ${seed}`);
  check(Number.isInteger(stream) && stream >= 0 && stream < 2 ** 32, kernel, 'stream', () => `must be an integer in [0, 2^32), got ${stream}`);
  const out = opts.out ?? gpu.empty(x.shape, 'f32', kernel);
  check(out.dtype === 'f32' && numel(out.shape) === n, kernel, 'out', () => `must be f32 ${shapeString(x.shape)}, got ${out.dtype} ${shapeString(out.shape)}`);
  const pairs = Math.ceil(n / 2);
  gpu.dispatch({
    kernel,
    pipeline: gpu.pipeline('dropout', RNG_WGSL + source),
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
