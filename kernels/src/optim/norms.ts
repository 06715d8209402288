// Per-segment and global L2 norms (two passes each, owner-computes, no atomics, no readback)
// and gradient clipping that reads the global norm from the GPU.
import { check, type Gpu, type GpuArray, grid1d, numel, outArray, params, shapeString } from '@pretext/gpu';
import { checkParamBuffer, elementwise } from './flat.js';
import { PARAM_BLOCK, type ParamLayout } from './layout.js';
import source from './norms.wgsl.js';

/** ‖x restricted to segment s‖₂ for every segment of the layout → f32 [S]. */
export function segmentNorms(gpu: Gpu, layout: ParamLayout, x: GpuArray, opts: { out?: GpuArray } = {}): GpuArray {
  const kernel = 'optim.segmentNorms';
  checkParamBuffer(gpu, kernel, 'x', x, layout.n);
  const S = layout.segments.length;
  const out = outArray(gpu, kernel, [S], opts.out, { flat: true });
  const partial = gpu.empty([layout.numBlocks], 'f32', `${kernel}.partial`);
  const maxDim = gpu.limits.maxComputeWorkgroupsPerDimension;
  gpu.dispatch({
    kernel: `${kernel}.partials`,
    pipeline: gpu.pipeline(`${kernel}.partials`, source, {}, 'segment_partials'),
    params: params().u32(layout.n).u32(layout.numBlocks).bytes,
    buffers: [layout.table, layout.blocks, x, partial],
    workgroups: grid1d(layout.numBlocks, maxDim),
    flops: 2 * layout.n,
    bytes: 4 * layout.n + 4 * layout.numBlocks,
  });
  gpu.dispatch({
    kernel: `${kernel}.finish`,
    pipeline: gpu.pipeline(`${kernel}.finish`, source, {}, 'segment_finish'),
    params: params().u32(S).u32(layout.numBlocks).bytes,
    buffers: [layout.table, partial, out],
    workgroups: grid1d(S, maxDim),
    flops: layout.numBlocks,
    bytes: 4 * layout.numBlocks + 36 * S,
  });
  gpu.free(partial); // stream-ordered: reused only by later work
  return out;
}

/** √Σx² over a whole flat buffer → f32 [1]. */
export function globalNorm(gpu: Gpu, x: GpuArray, opts: { out?: GpuArray } = {}): GpuArray {
  const kernel = 'optim.globalNorm';
  const n = checkParamBuffer(gpu, kernel, 'x', x);
  const out = outArray(gpu, kernel, [1], opts.out, { flat: true });
  const blocks = Math.ceil(n / PARAM_BLOCK);
  const partial = gpu.empty([blocks], 'f32', `${kernel}.partial`);
  const uniforms = params().u32(n).u32(blocks).bytes;
  gpu.dispatch({
    kernel: `${kernel}.partials`,
    pipeline: gpu.pipeline(`${kernel}.partials`, source, {}, 'flat_partials'),
    params: uniforms,
    buffers: [x, partial],
    workgroups: grid1d(blocks, gpu.limits.maxComputeWorkgroupsPerDimension),
    flops: 2 * n,
    bytes: 4 * n + 4 * blocks,
  });
  gpu.dispatch({
    kernel: `${kernel}.finish`,
    pipeline: gpu.pipeline(`${kernel}.finish`, source, {}, 'flat_finish'),
    params: uniforms,
    buffers: [partial, out],
    workgroups: [1],
    flops: blocks,
    bytes: 4 * blocks + 4,
  });
  gpu.free(partial);
  return out;
}

/**
 * g ← g · min(1, maxNorm / (norm + 1e-6)) in place, norm = f32 [1] on the GPU (from globalNorm),
 * as torch.nn.utils.clip_grad_norm_. Returns g.
 */
export function clipByNorm(gpu: Gpu, g: GpuArray, norm: GpuArray, maxNorm: number): GpuArray {
  const kernel = 'optim.clipByNorm';
  const n = checkParamBuffer(gpu, kernel, 'g', g);
  check(norm.dtype === 'f32' && numel(norm.shape) === 1, kernel, 'norm', () => `must be f32 [1] (from globalNorm), got ${norm.dtype} ${shapeString(norm.shape)}`);
  check(Number.isFinite(maxNorm) && maxNorm > 0, kernel, 'maxNorm', () => `must be finite and > 0, got ${maxNorm}`);
  elementwise(gpu, kernel, 'clip', n, maxNorm, [g, norm], { flops: n, bytes: 8 * n });
  return g;
}
