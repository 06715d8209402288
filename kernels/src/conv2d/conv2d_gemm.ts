// conv2d (groups = 1) as GEMMs on the fast matmul (matmul_sg.wgsl), a chunk of images at a
// time, with the output pixels as GEMM rows:
//   forward  T (b·P, Cout) = col (b·P, Kp) · Wᵀ (Kp, Cout) + bias      y[n0 + b] = T[b]ᵀ (pack)
//   dx       stride 1: the forward above on dy with the flipped kernel (a transposed conv):
//              dx[n, ci, ih, iw] = Σ_{co, kh, kw} dy[n, co, ih + PH' − kh·DH, iw + PW' − kw·DW] · W[co, ci, KH−1−kh, KW−1−kw]
//              PH' = DH·(KH − 1) − PH (may be negative: im2col's bounds check covers it)
//            other strides: dcol (b·P, Kp) = dyᵀ (b·P, Cout) · W (Cout, Kp), dx[n0 + b] = col2im(dcol)
//   dw       dWᵀ (Kp, Cout) += colᵀ · dyᵀ   (contraction over b·P, accumulated over chunks)
// P = Ho·Wo, K = Cin·KH·KW, Kp = ⌈K/4⌉·4 (matmul_sg reads A and B as vec4 along k or n: K, Kp
// and Cout must be multiples of 4 for it). Columns k are ordered (ci, kh, kw) like the weight,
// or, when Cin % 4 == 0, tap-major (kh, kw, ci): im2col then reads a channels-last copy of the
// chunk a vec4 at a time (conv2d_im2col4.wgsl), and the weight is packed in that order. Pixels as rows keep M huge and N = Cout a multiple
// of 32, so no tile is partly idle: with Cout as rows, 24-row tiles wasted 11–33% for Cout =
// 32/64/128, and P = 49 as columns 23% of 32-column tiles. The price is a transposing copy of
// y (forward) or dy (backward) per chunk, a memory pass next to a compute-bound GEMM.
import { ceilDiv, check, type Gpu, type GpuArray, grid1d, params } from '@pretext/gpu';
import { matmul, matmulShape, matmulVariant } from '../matmul/matmul.js';
import type { Conv2dGeometry } from './conv2d.js';
import col2imSource from './conv2d_col2im.wgsl.js';
import im2colSource from './conv2d_im2col.wgsl.js';
import im2col4Source from './conv2d_im2col4.wgsl.js';
import packSource from './conv2d_pack.wgsl.js';

export const conv2dGemmTuning = {
  /** Workspace of one chunk (column matrix + transposed y or dy), bytes; a chunk has ≥ 1 image. */
  workspaceBytes: 64 * 2 ** 20,
  /** 'auto' takes the GEMM path from this K = Cin·KH·KW on. */
  minK: 32,
};

/**
 * The 'auto' rule: groups = 1, Cout (and for dx Cin) a multiple of 4 and GEMMs that run on
 * matmul_sg, K = Cin·KH·KW ≥ minK, and for dx stride 1 (the col2im form loses to the direct
 * kernel). Measured on lavapipe (3×3, padding 1, batch 128, fwd + dx + dw, best of 3, loaded
 * machine, direct → GEMM path incl. im2col/pack): 32→64 @14×14 935 → 774 ms (dw 396 → ~240,
 * dx 284 → ~260, forward 256 → ~244), 64→128 @7×7 886 → 553 ms; 1→32 @28×28 (K = 9) lost:
 * forward 107 → ~290 ms, dw 58 → ~200 ms (tiny K: im2col, the GEMM epilogue and the transposes
 * dominate; dw's GEMM has M = 12, N = 32: one workgroup), hence minK. The whole SimCLR step
 * (batch 256 × 2, one process, alternating, load ~7): direct 12.2–15.6 s → this rule 9.9 s.
 */
export function gemmPays(gpu: Gpu, g: Conv2dGeometry, op: 'forward' | 'dx' | 'dw'): boolean {
  if (g.groups !== 1 || g.cout % 4 !== 0) return false;
  if (op === 'dx' && (g.sh !== 1 || g.sw !== 1 || g.cin % 4 !== 0)) return false;
  const K = g.cin * g.kh * g.kw;
  const rows = g.n * g.ho * g.wo;
  const Kp = ceilDiv(K, 4) * 4;
  return K >= conv2dGemmTuning.minK && matmulVariant(gpu, matmulShape([rows, Kp], [Kp, g.cout])) === 'sg';
}

interface Plan {
  K: number;
  Kp: number;
  P: number;
  /** images per chunk */
  nc: number;
  /** tap-major columns from a channels-last copy (Cin % 4 == 0) */
  nhwc: boolean;
}

function plan(gpu: Gpu, kernel: string, g: Conv2dGeometry): Plan {
  const K = g.cin * g.kh * g.kw;
  const Kp = ceilDiv(K, 4) * 4;
  const P = g.ho * g.wo;
  const nhwc = g.cin % 4 === 0;
  const xh = nhwc ? g.cin * g.h * g.w : 0; // channels-last copy of an image
  const perImage = 4 * Math.max(P * Kp, P * g.cout, xh); // the largest workspace array
  const maxImages = Math.floor(gpu.limits.maxStorageBufferBindingSize / perImage);
  check(maxImages >= 1, kernel, 'x', () => `one image's column matrix (${P} × ${Kp}) exceeds maxStorageBufferBindingSize; use algo: 'direct'`);
  const fit = Math.max(1, Math.min(maxImages, Math.floor(conv2dGemmTuning.workspaceBytes / (4 * (P * (Kp + g.cout) + xh)))));
  const chunks = ceilDiv(g.n, fit);
  return { K, Kp, P, nc: ceilDiv(g.n, chunks), nhwc };
}

interface PackSpec {
  B: number; R: number; C: number; rValid: number; cValid: number;
  srcOff: number; sB: number; sI: number; sJ: number; dstOff: number;
}

/** dst[dstOff + (b·R + i)·C + j] = i < rValid && j < cValid ? src[srcOff + b·sB + i·sI + j·sJ] : 0 */
function pack(gpu: Gpu, src: GpuArray, dst: GpuArray, s: PackSpec): void {
  const WG = 32;
  const jTiles = ceilDiv(s.C, WG);
  const tiles = s.B * jTiles;
  gpu.dispatch({
    kernel: 'conv2d.pack',
    pipeline: gpu.pipeline('conv2d.pack', packSource, { WG }),
    params: params().u32(s.R).u32(s.C).u32(s.rValid).u32(s.cValid).u32(s.srcOff).u32(s.sB).u32(s.sI).u32(s.sJ).u32(s.dstOff)
      .u32(jTiles).u32(tiles).bytes,
    buffers: [src, dst],
    workgroups: grid1d(tiles, gpu.limits.maxComputeWorkgroupsPerDimension),
    flops: 0,
    bytes: 8 * s.B * s.R * s.C,
  });
}

/** col (b·P, Kp) of images n0 .. n0 + b − 1 of x; `xh` (nc·H·W, Cin) is scratch when pl.nhwc. */
function im2col(gpu: Gpu, x: GpuArray, col: GpuArray, xh: GpuArray | undefined, g: Conv2dGeometry, pl: Plan, n0: number, b: number): void {
  const WG = 64;
  const rows = b * pl.P;
  const grid = grid1d(ceilDiv(rows, WG), gpu.limits.maxComputeWorkgroupsPerDimension);
  const bytes = 4 * (rows * pl.Kp + b * g.cin * g.h * g.w);
  if (xh) {
    const hw = g.h * g.w;
    // xh[β·H·W + i, ci] = x[n0 + β, ci, i]
    pack(gpu, x, xh, { B: b, R: hw, C: g.cin, rValid: hw, cValid: g.cin, srcOff: n0 * g.cin * hw, sB: g.cin * hw, sI: 1, sJ: hw, dstOff: 0 });
    gpu.dispatch({
      kernel: 'conv2d.im2col',
      pipeline: gpu.pipeline('conv2d.im2col', im2col4Source, { WG }),
      params: params().u32(rows).u32(g.h).u32(g.w).u32(g.ho).u32(g.wo).i32(g.ph).i32(g.pw)
        .u32(g.kh).u32(g.kw).u32(g.sh).u32(g.sw).u32(g.dh).u32(g.dw).u32(g.cin / 4).bytes,
      buffers: [xh, col],
      workgroups: grid,
      flops: 0,
      bytes,
    });
    return;
  }
  gpu.dispatch({
    kernel: 'conv2d.im2col',
    pipeline: gpu.pipeline('conv2d.im2col', im2colSource, { WG }),
    params: params().u32(rows).u32(n0).u32(g.cin).u32(g.h).u32(g.w).u32(g.ho).u32(g.wo).i32(g.ph).i32(g.pw)
      .u32(g.kh).u32(g.kw).u32(g.sh).u32(g.sw).u32(g.dh).u32(g.dw).u32(pl.Kp / 4).bytes,
    buffers: [x, col],
    workgroups: grid,
    flops: 0,
    bytes,
  });
}

/** The scratch im2col needs for a chunk (pl.nhwc), else undefined. */
const im2colScratch = (gpu: Gpu, g: Conv2dGeometry, pl: Plan) =>
  pl.nhwc ? gpu.empty([pl.nc * g.h * g.w, g.cin], 'f32', 'conv2d.xh') : undefined;

/** dx[n0 .. n0 + b − 1] from dcol (b·P, Kp). */
function col2im(gpu: Gpu, dcol: GpuArray, dx: GpuArray, g: Conv2dGeometry, pl: Plan, n0: number, b: number): void {
  const WG = 64;
  const planes = b * g.cin;
  gpu.dispatch({
    kernel: 'conv2d.col2im',
    pipeline: gpu.pipeline('conv2d.col2im', col2imSource, { WG, SH: g.sh, SW: g.sw }),
    params: params().u32(planes).u32(n0).u32(g.cin).u32(g.h).u32(g.w).u32(g.ho).u32(g.wo).i32(g.ph).i32(g.pw)
      .u32(g.kh).u32(g.kw).u32(g.dh).u32(g.dw).u32(pl.Kp).bytes,
    buffers: [dcol, dx],
    workgroups: grid1d(planes, gpu.limits.maxComputeWorkgroupsPerDimension),
    flops: planes * g.h * g.w * g.kh * g.kw,
    bytes: 4 * (b * pl.P * pl.Kp + planes * g.h * g.w),
  });
}

/** dyᵀ (b·P, Cout) of images n0 .. n0 + b − 1 of dy (N, Cout, Ho, Wo). */
function packDy(gpu: Gpu, dy: GpuArray, dyt: GpuArray, g: Conv2dGeometry, pl: Plan, n0: number, b: number): void {
  const plane = g.cout * pl.P;
  pack(gpu, dy, dyt, { B: b, R: pl.P, C: g.cout, rValid: pl.P, cValid: g.cout, srcOff: n0 * plane, sB: plane, sI: 1, sJ: pl.P, dstOff: 0 });
}

const view = (a: GpuArray, shape: number[]): GpuArray => ({ ...a, shape });

/** The forward over chunks of images, given Wᵀ (Kp, Cout) zero-padded: out = conv(x) + bias. */
function gemmConv(gpu: Gpu, x: GpuArray, wt: GpuArray, bias: GpuArray | undefined, g: Conv2dGeometry, pl: Plan, out: GpuArray, label: string): void {
  const { Kp, P, nc } = pl;
  const col = gpu.empty([nc * P, Kp], 'f32', 'conv2d.col');
  const t = gpu.empty([nc * P, g.cout], 'f32', 'conv2d.t');
  const xh = im2colScratch(gpu, g, pl);
  for (let n0 = 0; n0 < g.n; n0 += nc) {
    const b = Math.min(nc, g.n - n0);
    im2col(gpu, x, col, xh, g, pl, n0, b);
    matmul(gpu, view(col, [b * P, Kp]), wt, { bias, out: view(t, [b * P, g.cout]), label });
    // out[n0 + β, co, p] = T[β·P + p, co]
    pack(gpu, t, out, { B: b, R: g.cout, C: P, rValid: g.cout, cValid: P, srcOff: 0, sB: P * g.cout, sI: 1, sJ: g.cout, dstOff: n0 * g.cout * P });
  }
  for (const a of [col, t, xh]) if (a) gpu.free(a);
}

/** y = conv2d(x, weight) + bias into `out` (N, Cout, Ho, Wo); shapes already validated. */
export function conv2dGemm(gpu: Gpu, x: GpuArray, weight: GpuArray, bias: GpuArray | null | undefined, g: Conv2dGeometry, out: GpuArray): void {
  const pl = plan(gpu, 'conv2d', g);
  const { K, Kp } = pl;
  // Wᵀ (Kp, Cout): row (ci·KH + kh)·KW + kw, zero rows K..Kp−1; or tap-major row t·Cin + ci
  const wt = gpu.empty([Kp, g.cout], 'f32', 'conv2d.wt');
  const kk = g.kh * g.kw;
  if (pl.nhwc) pack(gpu, weight, wt, { B: kk, R: g.cin, C: g.cout, rValid: g.cin, cValid: g.cout, srcOff: 0, sB: 1, sI: kk, sJ: g.cin * kk, dstOff: 0 });
  else pack(gpu, weight, wt, { B: 1, R: Kp, C: g.cout, rValid: K, cValid: g.cout, srcOff: 0, sB: 0, sI: 1, sJ: K, dstOff: 0 });
  gemmConv(gpu, x, wt, bias ?? undefined, g, pl, out, 'conv2d.gemm');
  gpu.free(wt);
}

/** dx (N, Cin, H, W) into `out` from dy and weight; shapes already validated. */
export function conv2dGemmBackwardData(gpu: Gpu, dy: GpuArray, weight: GpuArray, g: Conv2dGeometry, out: GpuArray): void {
  if (g.sh === 1 && g.sw === 1) {
    // the transposed conv: input dy (N, Cout, Ho, Wo), output (N, Cin, H, W), same kernel size and dilation
    const gt: Conv2dGeometry = {
      ...g, cin: g.cout, h: g.ho, w: g.wo, cout: g.cin, ho: g.h, wo: g.w, cinG: g.cout, coutG: g.cin,
      ph: g.dh * (g.kh - 1) - g.ph, pw: g.dw * (g.kw - 1) - g.pw,
    };
    const pl = plan(gpu, 'conv2d.dx', gt);
    const kk = g.kh * g.kw;
    // W'ᵀ (Kp', Cin): row (co·KH + kh)·KW + kw (or tap-major (kh·KW + kw)·Cout + co), column ci
    // = W[co, ci, KH−1−kh, KW−1−kw]: the taps read backwards (stride −1 as a wrapping u32)
    const wt = gpu.empty([pl.Kp, g.cin], 'f32', 'conv2d.wt');
    const ck = g.cin * kk;
    if (pl.nhwc) pack(gpu, weight, wt, { B: kk, R: g.cout, C: g.cin, rValid: g.cout, cValid: g.cin, srcOff: kk - 1, sB: -1, sI: ck, sJ: kk, dstOff: 0 });
    else {
      if (pl.Kp !== pl.K) pack(gpu, weight, wt, { B: 1, R: pl.Kp - pl.K, C: g.cin, rValid: 0, cValid: 0, srcOff: 0, sB: 0, sI: 0, sJ: 0, dstOff: pl.K * g.cin });
      pack(gpu, weight, wt, { B: g.cout, R: kk, C: g.cin, rValid: kk, cValid: g.cin, srcOff: kk - 1, sB: ck, sI: -1, sJ: kk, dstOff: 0 });
    }
    gemmConv(gpu, dy, wt, undefined, gt, pl, out, 'conv2d.dx.gemm');
    gpu.free(wt);
    return;
  }
  const pl = plan(gpu, 'conv2d.dx', g);
  const { K, Kp, P, nc } = pl;
  // W as (Cout, Kp): the weight itself when K is a multiple of 4, else a zero-padded copy
  const wp = K === Kp ? view(weight, [g.cout, K]) : gpu.empty([g.cout, Kp], 'f32', 'conv2d.wp');
  if (K !== Kp) pack(gpu, weight, wp, { B: 1, R: g.cout, C: Kp, rValid: g.cout, cValid: K, srcOff: 0, sB: 0, sI: K, sJ: 1, dstOff: 0 });
  const dyt = gpu.empty([nc * P, g.cout], 'f32', 'conv2d.dyt');
  const dcol = gpu.empty([nc * P, Kp], 'f32', 'conv2d.dcol');
  for (let n0 = 0; n0 < g.n; n0 += nc) {
    const b = Math.min(nc, g.n - n0);
    packDy(gpu, dy, dyt, g, pl, n0, b);
    matmul(gpu, view(dyt, [b * P, g.cout]), wp, { out: view(dcol, [b * P, Kp]), label: 'conv2d.dx.gemm' });
    col2im(gpu, dcol, out, g, pl, n0, b);
  }
  if (K !== Kp) gpu.free(wp);
  for (const a of [dyt, dcol]) gpu.free(a);
}

/** dweight (Cout, Cin, KH, KW) into `out` from dy and x; shapes already validated. */
export function conv2dGemmBackwardWeight(gpu: Gpu, dy: GpuArray, x: GpuArray, g: Conv2dGeometry, out: GpuArray): void {
  const pl = plan(gpu, 'conv2d.dw', g);
  const { K, Kp, P, nc } = pl;
  // dWᵀ (Kp, Cout) = Σ_chunks colᵀ · dyᵀ: M = Kp rows (288, 576: whole 24-row tiles), N = Cout
  const dwt = gpu.empty([Kp, g.cout], 'f32', 'conv2d.dwt');
  const col = gpu.empty([nc * P, Kp], 'f32', 'conv2d.col');
  const dyt = gpu.empty([nc * P, g.cout], 'f32', 'conv2d.dyt');
  const xh = im2colScratch(gpu, g, pl);
  for (let n0 = 0; n0 < g.n; n0 += nc) {
    const b = Math.min(nc, g.n - n0);
    im2col(gpu, x, col, xh, g, pl, n0, b);
    packDy(gpu, dy, dyt, g, pl, n0, b);
    matmul(gpu, view(col, [b * P, Kp]), view(dyt, [b * P, g.cout]), { transA: true, accumulate: n0 > 0, out: dwt, label: 'conv2d.dw.gemm' });
  }
  // dw[co, k] = dWᵀ[k, co] for k < K, or dw[co, ci, t] = dWᵀ[t·Cin + ci, co] (tap-major)
  const kk = g.kh * g.kw;
  if (pl.nhwc) pack(gpu, dwt, out, { B: g.cout, R: g.cin, C: kk, rValid: g.cin, cValid: kk, srcOff: 0, sB: 1, sI: g.cout, sJ: g.cin * g.cout, dstOff: 0 });
  else pack(gpu, dwt, out, { B: 1, R: g.cout, C: K, rValid: g.cout, cValid: K, srcOff: 0, sB: 0, sI: 1, sJ: g.cout, dstOff: 0 });
  for (const a of [dwt, col, dyt, xh]) if (a) gpu.free(a);
}
