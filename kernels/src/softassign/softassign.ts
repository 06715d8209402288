// Soft assignment of points to a codebook (K nearest codewords, Gaussian-kernel probabilities,
// optionally the nearest codeword's weight): validate → one launch. The math is in softassign.wgsl.
import { check, checkArray, checkNonEmpty, type Gpu, type GpuArray, grid1d, numel, outArray, params, shapeString } from '@pretext/gpu';
import source from './softassign.wgsl.js';

/** The most neighbours one point keeps (the shader's register arrays). */
export const SOFTASSIGN_MAX_K = 16;

export interface SoftAssignOptions {
  /** Neighbours per point, 1 ≤ k ≤ min(Q, 16). */
  k: number;
  /** σ > 0 of the Gaussian kernel over squared distances, in the points' units. */
  sigma: number;
  /** f32 (Q): a weight per codeword; the result then has each point's nearest codeword's weight. */
  codeWeights?: GpuArray;
}

export interface SoftAssignment {
  /** i32 (N, k, d₁, …): the k nearest codewords of each point, nearest first. */
  index: GpuArray;
  /** f32 (N, k, d₁, …): their probabilities, summing to 1 per point. */
  prob: GpuArray;
  /** f32 (N, d₁, …): codeWeights of the nearest codeword (with codeWeights). */
  weight?: GpuArray;
}

const KERNEL = 'softassign';

/** points (N, D, d₁, …) with the D coordinates on axis 1; codebook (Q, D). */
export function softAssign(gpu: Gpu, points: GpuArray, codebook: GpuArray, opts: SoftAssignOptions & { out?: Partial<SoftAssignment> }): SoftAssignment {
  check(points.dtype === 'f32' && points.shape.length >= 2, KERNEL, 'points', () => `must be f32 (N, D, d₁, …) with the coordinates on axis 1, got ${points.dtype} ${shapeString(points.shape)}`);
  checkNonEmpty(KERNEL, 'points', points.shape);
  checkArray(gpu, KERNEL, 'points', points);
  const [n, D, ...spatial] = points.shape;
  check(codebook.dtype === 'f32' && codebook.shape.length === 2 && codebook.shape[1] === D && codebook.shape[0] >= 1, KERNEL, 'codebook', () => `must be f32 (Q, ${D}) for points ${shapeString(points.shape)}, got ${codebook.dtype} ${shapeString(codebook.shape)}`);
  const Q = codebook.shape[0];
  const { k, sigma } = opts;
  check(Number.isInteger(k) && k >= 1 && k <= Math.min(Q, SOFTASSIGN_MAX_K), KERNEL, 'k', () => `must be an integer in [1, ${Math.min(Q, SOFTASSIGN_MAX_K)}] (at most the ${Q} codewords and ${SOFTASSIGN_MAX_K}), got ${k}`);
  check(sigma > 0 && Number.isFinite(sigma), KERNEL, 'sigma', () => `must be a finite number > 0, got ${sigma}`);
  const cw = opts.codeWeights;
  if (cw) check(cw.dtype === 'f32' && cw.shape.length === 1 && cw.shape[0] === Q, KERNEL, 'codeWeights', () => `must be f32 [${Q}] (one per codeword), got ${cw.dtype} ${shapeString(cw.shape)}`);
  const S = numel(spatial);
  const count = n * S;
  const outShape = [n, k, ...spatial];
  const index = outArray(gpu, KERNEL, outShape, opts.out?.index, { name: 'out.index', dtype: 'i32' });
  const prob = outArray(gpu, KERNEL, outShape, opts.out?.prob, { name: 'out.prob' });
  const weight = cw ? outArray(gpu, KERNEL, [n, ...spatial], opts.out?.weight, { name: 'out.weight' }) : undefined;
  // without weights the shader writes none, but its weight binding may not alias prob
  const target = weight ?? gpu.empty([1], 'f32', `${KERNEL}.no_weight`);
  gpu.dispatch({
    kernel: KERNEL,
    pipeline: gpu.pipeline(KERNEL, source),
    params: params().u32(count).u32(D).u32(S).u32(Q).u32(k).f32(1 / (2 * sigma * sigma)).u32(cw ? 1 : 0).bytes,
    buffers: [points, codebook, cw ?? codebook, index, prob, target],
    workgroups: grid1d(Math.ceil(count / 64), gpu.limits.maxComputeWorkgroupsPerDimension),
    // 3 FLOPs per coordinate per codeword, the insertion compares; the codebook stays in cache
    flops: count * Q * (3 * D + 1),
    bytes: 4 * count * (D + 2 * k + (cw ? 1 : 0)) + 4 * Q * D,
  });
  if (target !== weight) gpu.free(target);
  return { index, prob, ...(weight ? { weight } : {}) };
}
