// N-D permute (up to 6 dims after merging): y = x.permute(perm), y.shape[k] = x.shape[perm[k]].
// The permutation is collapsed first (dims that stay adjacent and in order merge); when what is
// left is a (batched) swap of the last two dims it runs the tiled kernel in transpose.wgsl,
// otherwise the general strided copy (copy.wgsl) with the permuted strides.
import { check, checkBinding, checkNonEmpty, collapseDims, contiguousStrides, type Gpu, type GpuArray, numel, outArray, params, shapeString } from '@pretext/gpu';
import { stridedCopy } from '../copy/copy.js';
import source from './transpose.wgsl.js';

/** y = x with its dims permuted (default: reversed), any 32-bit dtype. */
export function transpose(gpu: Gpu, x: GpuArray, perm?: readonly number[], opts: { out?: GpuArray } = {}): GpuArray {
  const kernel = 'transpose';
  const rank = x.shape.length;
  const p = perm ?? x.shape.map((_, k) => rank - 1 - k);
  check(p.length === rank && [...p].sort((a, b) => a - b).every((v, k) => v === k), kernel, 'perm',
    () => `[${p.join(', ')}] is not a permutation of the ${rank} dims of x ${shapeString(x.shape)}`);
  const n = numel(x.shape);
  checkNonEmpty(kernel, 'x', x.shape);
  checkBinding(gpu, kernel, 'x', n);
  const shape = p.map((k) => x.shape[k]);
  const out = outArray(gpu, kernel, shape, opts.out, { dtype: x.dtype });

  const xs = contiguousStrides(x.shape);
  const xStrides = p.map((k) => xs[k]);
  const outStrides = contiguousStrides(shape);
  const c = collapseDims(shape, [xStrides, outStrides]);
  // iteration [B?, P, Q] over y with x strides [P·Q, 1, P]: x is [B, Q, P] and y its transpose
  const [P, Q] = c.shape.slice(-2);
  const [sP, sQ] = c.strides[0].slice(-2);
  const batched = c.shape.length === 2 || (c.shape.length === 3 && c.strides[0][0] === P * Q);
  const B = c.shape.length === 3 ? c.shape[0] : 1;
  const maxGrid = gpu.limits.maxComputeWorkgroupsPerDimension;
  if (c.shape.length >= 2 && batched && sP === 1 && sQ === P && Math.max(Math.ceil(P / 32), Math.ceil(Q / 32), B) <= maxGrid) {
    gpu.dispatch({
      kernel,
      pipeline: gpu.pipeline(kernel, source),
      params: params().u32(Q).u32(P).bytes,
      buffers: [x, out],
      workgroups: [Math.ceil(P / 32), Math.ceil(Q / 32), B],
      flops: 0,
      bytes: 8 * n,
    });
    return out;
  }
  return stridedCopy(gpu, x, out, { shape, xStrides, outStrides }, kernel);
}
