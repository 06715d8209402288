// 2-D max / average pooling and global average pooling over NCHW, forwards and backwards.
import { ceilDiv, check, checkArray, checkNonEmpty, type Gpu, type GpuArray, grid1d, numel, outArray, type Pair, pair, params, shapeString } from '@pretext/gpu';
import source from './pool.wgsl.js';

export interface Pool2dOptions {
  kernel: Pair;
  /** Default: the kernel size. */
  stride?: Pair;
  padding?: Pair;
  /** Average pool: divide by KH·KW (true, PyTorch's default) or by the in-image count. */
  countIncludePad?: boolean;
}

export interface PoolGeometry { n: number; c: number; h: number; w: number; ho: number; wo: number; kh: number; kw: number; sh: number; sw: number; ph: number; pw: number }

/** Validates x's shape and the options; Ho = ⌊(H + 2·PH − KH) / SH⌋ + 1 (floor mode). */
export function poolGeometry(kernel: string, xShape: readonly number[], opts: Pool2dOptions): PoolGeometry {
  check(xShape.length === 4, kernel, 'x', () => `must be rank 4 (N, C, H, W), got ${shapeString(xShape)}`);
  checkNonEmpty(kernel, 'x', xShape);
  const [n, c, h, w] = xShape;
  const [kh, kw] = pair(opts.kernel, 1);
  const [sh, sw] = pair(opts.stride, [kh, kw]);
  const [ph, pw] = pair(opts.padding, 0);
  const posInt = (v: number) => Number.isInteger(v) && v >= 1;
  check(posInt(kh) && posInt(kw), kernel, 'kernel', () => `must be positive integers, got [${kh}, ${kw}]`);
  check(posInt(sh) && posInt(sw), kernel, 'stride', () => `must be positive integers, got [${sh}, ${sw}]`);
  check(Number.isInteger(ph) && Number.isInteger(pw) && ph >= 0 && pw >= 0 && 2 * ph <= kh && 2 * pw <= kw, kernel, 'padding', () =>
    `must be integers in [0, kernel/2], got [${ph}, ${pw}] for kernel [${kh}, ${kw}]`);
  const ho = Math.floor((h + 2 * ph - kh) / sh) + 1;
  const wo = Math.floor((w + 2 * pw - kw) / sw) + 1;
  check(ho >= 1 && wo >= 1, kernel, 'x', () => `input ${h}×${w} with padding [${ph}, ${pw}] is smaller than the kernel ${kh}×${kw}`);
  return { n, c, h, w, ho, wo, kh, kw, sh, sw, ph, pw };
}

const geomParams = (g: PoolGeometry, includePad: boolean) =>
  params().u32(g.n * g.c).u32(g.h).u32(g.w).u32(g.ho).u32(g.wo).u32(g.kh).u32(g.kw).u32(g.sh).u32(g.sw).i32(g.ph).i32(g.pw).u32(includePad ? 1 : 0).bytes;

/** One invocation per each of `count` elements (outputs, inputs or planes, per entry point). */
function launch(gpu: Gpu, kernel: string, entry: string, g: PoolGeometry, includePad: boolean, buffers: GpuArray[], count: number, flops: number, bytes: number) {
  gpu.dispatch({
    kernel,
    pipeline: gpu.pipeline(kernel, source, {}, entry),
    params: geomParams(g, includePad),
    buffers,
    workgroups: grid1d(ceilDiv(count, 256), gpu.limits.maxComputeWorkgroupsPerDimension),
    flops,
    bytes,
  });
}

/** Max pool: y (N, C, Ho, Wo) and the argmax of each window as i32 ih·W + iw within its plane. */
export function maxPool2d(gpu: Gpu, x: GpuArray, opts: Pool2dOptions & { out?: GpuArray; outIndices?: GpuArray }): { y: GpuArray; indices: GpuArray } {
  const kernel = 'pool.max';
  const g = poolGeometry(kernel, x.shape, opts);
  checkArray(gpu, kernel, 'x', x);
  const shape = [g.n, g.c, g.ho, g.wo];
  const y = outArray(gpu, kernel, shape, opts.out);
  const indices = outArray(gpu, kernel, shape, opts.outIndices, { name: 'outIndices', dtype: 'i32' });
  const m = numel(shape);
  launch(gpu, kernel, 'max_fwd', g, false, [x, y, indices], m, m * g.kh * g.kw, 4 * (numel(x.shape) + 2 * m));
  return { y, indices };
}

/** dx of max pool: each window's dy goes to its saved argmax. */
export function maxPool2dBackward(gpu: Gpu, dy: GpuArray, indices: GpuArray, xShape: readonly number[], opts: Pool2dOptions & { out?: GpuArray }): GpuArray {
  const kernel = 'pool.max_backward';
  const g = poolGeometry(kernel, xShape, opts);
  const shape = [g.n, g.c, g.ho, g.wo];
  checkArray(gpu, kernel, 'dy', dy, shape);
  checkArray(gpu, kernel, 'indices', indices, shape, 'i32');
  const dx = outArray(gpu, kernel, xShape, opts.out);
  const n = numel(xShape);
  const m = numel(shape);
  // disjoint windows: each output owns a cell of dx (its window and the gaps); else gather per dx element
  if (g.sh >= g.kh && g.sw >= g.kw) launch(gpu, kernel, 'max_bwd_cells', g, false, [dy, dx, indices], m, m, 4 * (n + 2 * m));
  else launch(gpu, kernel, 'max_bwd', g, false, [dy, dx, indices], n, m, 4 * (n + 2 * m));
  return dx;
}

/** One unpadded window over the whole plane (how core's globalAvgPool2d calls avgPool2d): a plain mean / broadcast. */
const isGlobal = (g: PoolGeometry) => g.kh === g.h && g.kw === g.w && g.ph === 0 && g.pw === 0;

/** Average pool (N, C, H, W) → (N, C, Ho, Wo). */
export function avgPool2d(gpu: Gpu, x: GpuArray, opts: Pool2dOptions & { out?: GpuArray }): GpuArray {
  const kernel = 'pool.avg';
  const g = poolGeometry(kernel, x.shape, opts);
  checkArray(gpu, kernel, 'x', x);
  const shape = [g.n, g.c, g.ho, g.wo];
  const y = outArray(gpu, kernel, shape, opts.out);
  const m = numel(shape);
  launch(gpu, kernel, isGlobal(g) ? 'gap_fwd' : 'avg_fwd', g, opts.countIncludePad ?? true, [x, y], m, m * g.kh * g.kw, 4 * (numel(x.shape) + m));
  return y;
}

export function avgPool2dBackward(gpu: Gpu, dy: GpuArray, xShape: readonly number[], opts: Pool2dOptions & { out?: GpuArray }): GpuArray {
  const kernel = 'pool.avg_backward';
  const g = poolGeometry(kernel, xShape, opts);
  checkArray(gpu, kernel, 'dy', dy, [g.n, g.c, g.ho, g.wo]);
  const dx = outArray(gpu, kernel, xShape, opts.out);
  const n = numel(xShape);
  // gap_bwd: one invocation per dx element; avg_bwd: one per input row (N·C·H)
  const global = isGlobal(g);
  launch(gpu, kernel, global ? 'gap_bwd' : 'avg_bwd', g, opts.countIncludePad ?? true, [dy, dx], global ? n : g.n * g.c * g.h, 2 * numel(dy.shape) * g.kh * g.kw, 4 * (n + numel(dy.shape)));
  return dx;
}

const gapGeometry = (kernel: string, xShape: readonly number[]) => poolGeometry(kernel, xShape, { kernel: [xShape[2] ?? 1, xShape[3] ?? 1] });

/** Global average pool (N, C, H, W) → (N, C). */
export function globalAvgPool(gpu: Gpu, x: GpuArray, opts: { out?: GpuArray } = {}): GpuArray {
  const kernel = 'pool.global_avg';
  const g = gapGeometry(kernel, x.shape);
  checkArray(gpu, kernel, 'x', x);
  const y = outArray(gpu, kernel, [g.n, g.c], opts.out);
  launch(gpu, kernel, 'gap_fwd', g, true, [x, y], g.n * g.c, numel(x.shape), 4 * (numel(x.shape) + g.n * g.c));
  return y;
}

export function globalAvgPoolBackward(gpu: Gpu, dy: GpuArray, xShape: readonly number[], opts: { out?: GpuArray } = {}): GpuArray {
  const kernel = 'pool.global_avg_backward';
  const g = gapGeometry(kernel, xShape);
  checkArray(gpu, kernel, 'dy', dy, [g.n, g.c]);
  const dx = outArray(gpu, kernel, xShape, opts.out);
  const n = numel(xShape);
  launch(gpu, kernel, 'gap_bwd', g, true, [dy, dx], n, n, 4 * (n + g.n * g.c));
  return dx;
}
