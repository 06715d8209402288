// conv2d (NCHW, weight (Cout, Cin/groups, KH, KW)): forward, backward-data, backward-weight.
// Each is an implicit GEMM (see the .wgsl files), or Winograd or im2col + matmul where that pays
// (pickAlgo). Geometry (sizes, kernel, stride, padding, dilation, groups) is a runtime param of
// the direct kernels (conv2d_params.inc.wgsl): every extra pipeline costs lavapipe seconds of LLVM
// time. Only the backward-data stride is an override (SH, SW: its per-tap division folds).
import { ceilDiv, check, checkArray, checkNonEmpty, type Gpu, type GpuArray, grid1d, numel, outArray, type Pair, pair, params, shapeString, sizeBucket, type TuneCandidate } from '@pretext/gpu';
import { reduce, sumToShape } from '../reduce/reduce.js';
import source from './conv2d.wgsl.js';
import c1Source from './conv2d_c1.wgsl.js';
import dwSource from './conv2d_dw.wgsl.js';
import dwSgSource from './conv2d_dw_sg.wgsl.js';
import dxSource from './conv2d_dx.wgsl.js';
import dxSgSource from './conv2d_dx_sg.wgsl.js';
import { conv2dGemm, conv2dGemmBackwardData, conv2dGemmBackwardWeight, gemmPays } from './conv2d_gemm.js';
import sgSource from './conv2d_sg.wgsl.js';
import sg4Source from './conv2d_sg4.wgsl.js';
import { checkWinograd, conv2dWinograd, conv2dWinogradBackwardData, conv2dWinogradBackwardWeight, winogradPays, winogradUnsupported } from './conv2d_winograd.js';

export interface Conv2dOptions {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
  groups?: number;
  /** Use the portable kernels even where the subgroup variants would run (tests, comparisons). */
  portable?: boolean;
  /**
   * 'gemm': im2col + the fast matmul (conv2d_gemm.ts; groups = 1 only); 'direct': the implicit
   * GEMM kernels (conv2d*.wgsl); 'winograd': Winograd F(2×2, 3×3) (conv2d_winograd.ts; 3×3, stride
   * 1, dilation 1, groups 1, Cin and Cout multiples of 4);
   * 'auto' (default): whichever is faster for the shape (winogradPays, then gemmPays).
   */
  algo?: 'auto' | 'gemm' | 'direct' | 'winograd';
}

/** Everything a launch needs, validated. Output size: Ho = ⌊(H + 2·PH − DH·(KH − 1) − 1) / SH⌋ + 1. */
export interface Conv2dGeometry {
  n: number; cin: number; h: number; w: number;
  cout: number; kh: number; kw: number; ho: number; wo: number;
  sh: number; sw: number; ph: number; pw: number; dh: number; dw: number;
  groups: number; cinG: number; coutG: number;
}

const TM = 16; // rows per workgroup tile, as in the shaders
const TP = 2; // columns per invocation

/** Validates shapes and options (throws KernelInputError naming `kernel`) and derives the output size. */
export function conv2dGeometry(kernel: string, xShape: readonly number[], wShape: readonly number[], opts: Conv2dOptions = {}): Conv2dGeometry {
  check(xShape.length === 4, kernel, 'x', () => `must be rank 4 (N, C, H, W), got ${shapeString(xShape)}`);
  check(wShape.length === 4, kernel, 'weight', () => `must be rank 4 (Cout, Cin/groups, KH, KW), got ${shapeString(wShape)}`);
  checkNonEmpty(kernel, 'x', xShape);
  checkNonEmpty(kernel, 'weight', wShape);
  const [n, cin, h, w] = xShape;
  const [cout, cinG, kh, kw] = wShape;
  const groups = opts.groups ?? 1;
  const [sh, sw] = pair(opts.stride, 1);
  const [ph, pw] = pair(opts.padding, 0);
  const [dh, dw] = pair(opts.dilation, 1);
  const posInt = (v: number) => Number.isInteger(v) && v >= 1;
  check(posInt(groups), kernel, 'groups', () => `must be a positive integer, got ${groups}`);
  check(cin % groups === 0 && cout % groups === 0, kernel, 'groups', () => `${groups} must divide Cin (${cin}) and Cout (${cout})`);
  check(cinG === cin / groups, kernel, 'weight', () => `dim 1 must be Cin/groups = ${cin / groups}, got ${shapeString(wShape)}`);
  check(posInt(sh) && posInt(sw), kernel, 'stride', () => `must be positive integers, got [${sh}, ${sw}]`);
  check(posInt(dh) && posInt(dw), kernel, 'dilation', () => `must be positive integers, got [${dh}, ${dw}]`);
  check(Number.isInteger(ph) && Number.isInteger(pw) && ph >= 0 && pw >= 0, kernel, 'padding', () => `must be non-negative integers, got [${ph}, ${pw}]`);
  const ho = Math.floor((h + 2 * ph - dh * (kh - 1) - 1) / sh) + 1;
  const wo = Math.floor((w + 2 * pw - dw * (kw - 1) - 1) / sw) + 1;
  check(ho >= 1 && wo >= 1, kernel, 'x', () => `input ${h}×${w} with padding [${ph}, ${pw}] is smaller than the dilated kernel ${dh * (kh - 1) + 1}×${dw * (kw - 1) + 1}`);
  return { n, cin, h, w, cout, kh, kw, ho, wo, sh, sw, ph, pw, dh, dw, groups, cinG, coutG: cout / groups };
}

export function conv2dOutputShape(g: Conv2dGeometry): [number, number, number, number] {
  return [g.n, g.cout, g.ho, g.wo];
}

/** conv2d_params.inc.wgsl's Params. */
const geomParams = (g: Conv2dGeometry, mtiles: number, hasBias = false, chunk = 0) =>
  params().u32(g.n).u32(g.cin).u32(g.h).u32(g.w).u32(g.cout).u32(g.ho).u32(g.wo).i32(g.ph).i32(g.pw).u32(g.cinG).u32(g.coutG).u32(mtiles).u32(g.kh).u32(g.kw)
    .u32(g.sh).u32(g.sw).u32(g.dh).u32(g.dw).u32(hasBias ? 1 : 0).u32(chunk);

/**
 * conv2d_c1.wgsl's case (the first layer on grayscale): Cin = 1, 3×3, stride 1, dilation 1,
 * Wo % 4 == 0, Cout % 4 == 0, subgroups of exactly 8 lanes (its layout is built on them). The 1→32 layer at 28×28, N 512, on lavapipe
 * (loaded machine): forward ~105 ms by conv2d_sg.wgsl, ~64 in strips (conv2d_sg4.wgsl), ~20 here.
 */
function firstLayer(gpu: Gpu, g: Conv2dGeometry, opts: Conv2dOptions): boolean {
  return !opts.portable && gpu.subgroupWidth({ widths: [8], exact: true }) === 8 && g.cin === 1 && g.groups === 1 && g.kh === 3 && g.kw === 3 && g.sh === 1 && g.sw === 1 &&
    g.dh === 1 && g.dw === 1 && g.wo % 4 === 0 && g.cout % 4 === 0;
}

const c1Params = (g: Conv2dGeometry, hasBias: boolean, chunk: number) =>
  params().u32(g.n).u32(g.h).u32(g.w).u32(g.cout).u32(g.ho).u32(g.wo).i32(g.ph).i32(g.pw).u32(hasBias ? 1 : 0).u32(chunk).bytes;

/** The lanes SG the subgroup variants are launched for (they broadcast weights from lanes 0 .. SG − 1), or 0: the portable kernels. */
function subgroupLanes(gpu: Gpu, opts: Conv2dOptions): number {
  return opts.portable ? 0 : gpu.subgroupWidth();
}

type Algo = 'winograd' | 'gemm' | 'direct';
type Op = 'forward' | 'dx' | 'dw';

/**
 * Which implementation runs this launch: conv2d_winograd.ts, conv2d_gemm.ts or the direct
 * kernels. 'auto': the autotuner's measured choice when it is on (gpu.tuner), else the
 * thresholds (winogradPays, then gemmPays).
 */
function pickAlgo(gpu: Gpu, kernel: string, g: Conv2dGeometry, opts: Conv2dOptions, op: Op): Algo {
  const algo = opts.algo ?? 'auto';
  check(['auto', 'gemm', 'direct', 'winograd'].includes(algo), kernel, 'algo', () => `must be 'auto', 'gemm', 'direct' or 'winograd', got '${algo}'`);
  if (algo === 'gemm') check(g.groups === 1, kernel, 'algo', () => `'gemm' needs groups = 1, got groups = ${g.groups}`);
  if (algo === 'winograd') checkWinograd(kernel, g);
  if (algo === 'winograd') return 'winograd';
  if (algo === 'gemm' || algo === 'direct') return algo;
  if (opts.portable) return 'direct';
  const fallback = winogradPays(gpu, g) ? 'winograd' : gemmPays(gpu, g, op) ? 'gemm' : 'direct';
  // the algorithms that can run this geometry here (Winograd only pays with subgroups)
  const SG = gpu.subgroupWidth();
  const names: Algo[] = ['direct', ...(g.groups === 1 ? (['gemm'] as const) : []), ...(!winogradUnsupported(g) && SG ? (['winograd'] as const) : [])];
  const b = sizeBucket;
  const key = `conv2d.${op}.sg${SG}:n${b(g.n)}:c${b(g.cin)}>${b(g.cout)}:${b(g.h)}x${b(g.w)}:k${g.kh}x${g.kw}:s${g.sh}x${g.sw}:d${g.dh}x${g.dw}:p${g.ph}x${g.pw}:g${g.groups}`;
  return gpu.tuner.pick(key, names, fallback, () => names.map((algo) => tuneCandidate(gpu, g, op, algo))) as Algo;
}

/** One algorithm for one op on zero inputs of geometry g, for the autotuner. */
function tuneCandidate(gpu: Gpu, g: Conv2dGeometry, op: Op, algo: Algo): TuneCandidate {
  const opts: Conv2dOptions = { stride: [g.sh, g.sw], padding: [g.ph, g.pw], dilation: [g.dh, g.dw], groups: g.groups, algo };
  const xShape = [g.n, g.cin, g.h, g.w];
  const wShape = [g.cout, g.cinG, g.kh, g.kw];
  return {
    name: algo,
    prepare() {
      const arrays = [gpu.empty(xShape), gpu.empty(wShape), gpu.empty(conv2dOutputShape(g))];
      const [x, w, y] = arrays;
      const out = gpu.empty(op === 'forward' ? conv2dOutputShape(g) : op === 'dx' ? xShape : wShape);
      const run = {
        forward: () => conv2d(gpu, x, w, null, { ...opts, out }),
        dx: () => conv2dBackwardData(gpu, y, w, xShape, { ...opts, out }),
        dw: () => conv2dBackwardWeight(gpu, y, x, wShape, { ...opts, out }),
      }[op];
      return {
        run: () => void run(),
        dispose: () => {
          for (const a of [...arrays, out]) gpu.free(a);
        },
      };
    },
  };
}

function zGrid(gpu: Gpu, kernel: string, z: number): number {
  const max = gpu.limits.maxComputeWorkgroupsPerDimension;
  check(z <= max, kernel, 'groups', () => `groups × ⌈channels/${TM}⌉ = ${z} workgroups exceed maxComputeWorkgroupsPerDimension (${max})`);
  return z;
}

/** y = conv2d(x, weight) + bias: x (N, Cin, H, W), weight (Cout, Cin/groups, KH, KW) → (N, Cout, Ho, Wo). */
export function conv2d(gpu: Gpu, x: GpuArray, weight: GpuArray, bias?: GpuArray | null, opts: Conv2dOptions & { out?: GpuArray } = {}): GpuArray {
  const kernel = 'conv2d';
  const g = conv2dGeometry(kernel, x.shape, weight.shape, opts);
  checkArray(gpu, kernel, 'x', x);
  checkArray(gpu, kernel, 'weight', weight);
  if (bias) checkArray(gpu, kernel, 'bias', bias, [g.cout]);
  const out = outArray(gpu, kernel, conv2dOutputShape(g), opts.out);
  const algo = pickAlgo(gpu, kernel, g, opts, 'forward');
  if (algo === 'winograd') {
    conv2dWinograd(gpu, x, weight, bias, g, out, opts.portable);
    return out;
  }
  if (algo === 'gemm') {
    conv2dGemm(gpu, x, weight, bias, g, out);
    return out;
  }
  if (firstLayer(gpu, g, opts)) {
    const [gx, gy] = grid1d(ceilDiv(g.n * g.ho, 8), gpu.limits.maxComputeWorkgroupsPerDimension);
    gpu.dispatch({
      kernel,
      pipeline: gpu.pipeline('conv2d.c1', c1Source, {}, 'forward'),
      params: c1Params(g, !!bias, 0),
      buffers: [weight, x, out, bias ?? weight],
      workgroups: [gx, gy, zGrid(gpu, kernel, ceilDiv(g.cout, 32))],
      flops: 2 * numel(out.shape) * 9 + (bias ? numel(out.shape) : 0),
      bytes: 4 * (numel(x.shape) + numel(weight.shape) + numel(out.shape)),
    });
    return out;
  }
  const wg = 64;
  const mtiles = ceilDiv(g.coutG, TM);
  // subgroups and Wo % 4 == 0: strips of 4 pixels stored as vec4s (conv2d_sg4.wgsl)
  const SG = subgroupLanes(gpu, opts);
  const sg = SG > 0;
  const strips = sg && g.wo % 4 === 0;
  const [gx, gy] = grid1d(ceilDiv(g.n * g.ho * g.wo, wg * (strips ? 4 : TP)), gpu.limits.maxComputeWorkgroupsPerDimension);
  const macs = g.n * g.cout * g.ho * g.wo * g.cinG * g.kh * g.kw;
  gpu.dispatch({
    kernel,
    pipeline: gpu.pipeline(strips ? 'conv2d.strips' : kernel, strips ? sg4Source : sg ? sgSource : source, sg ? { WG: wg, SG } : { WG: wg }),
    params: geomParams(g, mtiles, !!bias).bytes,
    buffers: [weight, x, out, bias ?? weight],
    workgroups: [gx, gy, zGrid(gpu, kernel, g.groups * mtiles)],
    flops: 2 * macs + (bias ? numel(out.shape) : 0),
    bytes: 4 * (numel(x.shape) + numel(weight.shape) + numel(out.shape) + (bias ? g.cout : 0)),
  });
  return out;
}

/** dx = ∂L/∂x from dy (N, Cout, Ho, Wo) and weight; `xShape` is the forward input's shape. */
export function conv2dBackwardData(gpu: Gpu, dy: GpuArray, weight: GpuArray, xShape: readonly number[], opts: Conv2dOptions & { out?: GpuArray } = {}): GpuArray {
  const kernel = 'conv2d.dx';
  const g = conv2dGeometry(kernel, xShape, weight.shape, opts);
  checkArray(gpu, kernel, 'dy', dy, conv2dOutputShape(g));
  checkArray(gpu, kernel, 'weight', weight);
  const out = outArray(gpu, kernel, xShape, opts.out);
  const algo = pickAlgo(gpu, kernel, g, opts, 'dx');
  if (algo === 'winograd') {
    conv2dWinogradBackwardData(gpu, dy, weight, g, out, opts.portable);
    return out;
  }
  if (algo === 'gemm') {
    conv2dGemmBackwardData(gpu, dy, weight, g, out);
    return out;
  }
  const wg = 64;
  const dxSG = subgroupLanes(gpu, opts);
  const mtiles = ceilDiv(g.cinG, TM);
  const [gx, gy] = grid1d(ceilDiv(g.n * g.h * g.w, wg * TP), gpu.limits.maxComputeWorkgroupsPerDimension);
  // every (input pixel, weight tap) pair is visited; for stride > 1 most taps are skipped
  const macs = g.n * g.cin * g.h * g.w * g.coutG * g.kh * g.kw;
  gpu.dispatch({
    kernel,
    pipeline: dxSG ? gpu.pipeline(kernel, dxSgSource, { SH: g.sh, SW: g.sw, WG: wg, SG: dxSG }) : gpu.pipeline(kernel, dxSource, { SH: g.sh, SW: g.sw, WG: wg }),
    params: geomParams(g, mtiles).bytes,
    buffers: [weight, dy, out],
    workgroups: [gx, gy, zGrid(gpu, kernel, g.groups * mtiles)],
    flops: 2 * macs,
    bytes: 4 * (numel(dy.shape) + numel(weight.shape) + numel(out.shape)),
  });
  return out;
}

/** dweight (and dbias when `bias`) from dy (N, Cout, Ho, Wo) and the forward input x. */
export function conv2dBackwardWeight(
  gpu: Gpu,
  dy: GpuArray,
  x: GpuArray,
  wShape: readonly number[],
  opts: Conv2dOptions & { bias?: boolean; out?: GpuArray; outBias?: GpuArray } = {},
): { dw: GpuArray; db?: GpuArray } {
  const kernel = 'conv2d.dw';
  const g = conv2dGeometry(kernel, x.shape, wShape, opts);
  checkArray(gpu, kernel, 'x', x);
  checkArray(gpu, kernel, 'dy', dy, conv2dOutputShape(g));
  const dw = outArray(gpu, kernel, wShape, opts.out);
  const algo = pickAlgo(gpu, kernel, g, opts, 'dw');
  if (algo === 'winograd') conv2dWinogradBackwardWeight(gpu, dy, x, g, dw, opts.portable);
  else if (algo === 'gemm') conv2dGemmBackwardWeight(gpu, dy, x, g, dw);
  else directBackwardWeight(gpu, dy, x, g, dw, opts);
  if (!opts.bias) return { dw };
  const db = outArray(gpu, 'conv2d.db', [g.cout], opts.outBias, { name: 'outBias' });
  sumToShape(gpu, dy, [1, g.cout, 1, 1], { out: { ...db, shape: [1, g.cout, 1, 1] } });
  return { dw, db };
}

/** dweight by conv2d_dw*.wgsl: split-K partial sums over (n, oh) rows, then a reduce. */
function directBackwardWeight(gpu: Gpu, dy: GpuArray, x: GpuArray, g: Conv2dGeometry, dw: GpuArray, opts: Conv2dOptions): void {
  const kernel = 'conv2d.dw';
  const wShape = [g.cout, g.cinG, g.kh, g.kw];
  const maxDim = gpu.limits.maxComputeWorkgroupsPerDimension;
  const cols = g.cinG * g.kh * g.kw;
  // one SIMD batch per workgroup: cols = 9·Cin fills 16-column tiles exactly when 16 | Cin (a
  // 64-wide tile left up to 44% of its columns idle for Cin = 16, 32); at least a subgroup
  const SG = subgroupLanes(gpu, opts);
  const wg = Math.max(8, SG);
  const mtiles = ceilDiv(g.coutG, TM);
  const colTiles = ceilDiv(cols, wg * TP);
  check(colTiles <= maxDim, kernel, 'weight', () => `${colTiles} column tiles exceed maxComputeWorkgroupsPerDimension (${maxDim})`);
  const z = zGrid(gpu, kernel, g.groups * mtiles);
  // split the (n, oh) reduction so that both cores (and more) get work; partials are summed after
  const rows = g.n * g.ho;
  const total = numel(wShape);
  const maxSplits = Math.floor(gpu.limits.maxStorageBufferBindingSize / (4 * total));
  const splits = Math.max(1, Math.min(rows, ceilDiv(48, colTiles * z), maxSplits, maxDim));
  const chunk = ceilDiv(rows, splits);
  const used = ceilDiv(rows, chunk);
  const part = used === 1 ? dw : gpu.empty([used, total], 'f32', 'conv2d.dw.partials');
  const macs = g.n * g.cout * g.ho * g.wo * cols;
  if (firstLayer(gpu, g, opts))
    gpu.dispatch({
      kernel,
      pipeline: gpu.pipeline('conv2d.c1.dw', c1Source, {}, 'backward_weight'),
      params: c1Params(g, false, chunk),
      buffers: [dy, x, part],
      workgroups: [used, 1, zGrid(gpu, kernel, ceilDiv(g.cout, 32))],
      flops: 2 * macs,
      bytes: 4 * (numel(dy.shape) + numel(x.shape) + used * total),
    });
  else gpu.dispatch({
    kernel,
    pipeline: SG ? gpu.pipeline(kernel, dwSgSource, { WG: wg, SG }) : gpu.pipeline(kernel, dwSource, { WG: wg }),
    params: geomParams(g, mtiles, false, chunk).bytes,
    buffers: [dy, x, part],
    workgroups: [colTiles, used, z],
    flops: 2 * macs,
    bytes: 4 * (numel(dy.shape) + numel(x.shape) + used * total),
  });
  // split-K partials (used, total) → dw by the reduce kernel
  if (used > 1) {
    reduce(gpu, 'sum', part, { axis: 0, out: { ...dw, shape: [total] } });
    gpu.free(part);
  }
}

/** The full backward pass: dx, dweight and (when `bias`) dbias. */
export function conv2dBackward(
  gpu: Gpu,
  dy: GpuArray,
  x: GpuArray,
  weight: GpuArray,
  opts: Conv2dOptions & { bias?: boolean } = {},
): { dx: GpuArray; dw: GpuArray; db?: GpuArray } {
  const dx = conv2dBackwardData(gpu, dy, weight, x.shape, opts);
  return { dx, ...conv2dBackwardWeight(gpu, dy, x, weight.shape, opts) };
}
