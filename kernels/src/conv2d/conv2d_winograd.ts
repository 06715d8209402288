// conv2d (3×3, stride 1, dilation 1, groups 1, Cin and Cout multiples of 4) by Winograd
// F(2×2, 3×3): each 2×2 output tile costs 16 multiplies per (ci, co) instead of 36. Per chunk of
// b images, tH = ⌈Ho/2⌉, tW = ⌈Wo/2⌉, T = b·tH·tW tiles, ξ = 0..15 the 4×4 transform points:
//   U  (16, Cin, Cout) = G · g · Gᵀ         per (ci, co), once              conv2d_winograd_weight.wgsl
//   V  (16, T, Cin)    = Bᵀ · d · B         per (tile, ci), d its 4×4 patch  conv2d_winograd_input.wgsl
//   Mx (16, T, Cout)   = V · U              16 batched GEMMs                 ┐ one pass on subgroups:
//   y  (N, Cout, Ho, Wo) = Aᵀ · m · A (+ bias)  per (tile, co)               ┘ conv2d_winograd_fused.wgsl
// (else matmul() into Mx, then conv2d_winograd_output.wgsl).
// dx (stride 1) is the same on dy with the flipped, transposed kernel (as in conv2d_gemm.ts):
//   dx = conv(dy, W'), W'[ci, co, kh, kw] = W[co, ci, 2 − kh, 2 − kw], padding 2 − PH (may be negative).
// dw back through the same steps (L = Σ dy·y): V as above from x, and
//   Ŷ  (16, T, Cout)   = A · e · Aᵀ         per (tile, co), e its 2×2 of dy   conv2d_winograd_dy.wgsl
//   dU (16, Cin, Cout) = Σ_chunks Vᵀ · Ŷ    16 batched GEMMs, K = T           conv2d_winograd_dwgemm.wgsl
//   dw (Cout, Cin, 3, 3) = Gᵀ · dU · G      per (ci, co)                      conv2d_winograd_dw.wgsl
import { ceilDiv, check, type Gpu, type GpuArray, grid1d, params } from '@pretext/gpu';
import { matmul } from '../matmul/matmul.js';
import type { Conv2dGeometry } from './conv2d.js';
import dwSource from './conv2d_winograd_dw.wgsl.js';
import dwGemmSource from './conv2d_winograd_dwgemm.wgsl.js';
import dySource from './conv2d_winograd_dy.wgsl.js';
import fusedSource from './conv2d_winograd_fused.wgsl.js';
import inputSource from './conv2d_winograd_input.wgsl.js';
import outputSource from './conv2d_winograd_output.wgsl.js';
import weightSource from './conv2d_winograd_weight.wgsl.js';

export const conv2dWinogradTuning = {
  /** Workspace of one chunk (V, and Mx or Ŷ where used), bytes; a chunk has ≥ 1 image. */
  workspaceBytes: 64 * 2 ** 20,
  /** 'auto' takes the Winograd path from Cin, Cout ≥ minChannels on … */
  minChannels: 16,
  /** … and N·Ho·Wo·Cin·Cout·9 ≥ minMacs (smaller launches keep the direct kernels and skip its pipelines' JIT). */
  minMacs: 2 ** 25,
};

/** Why the geometry has no Winograd form here, or undefined when it has one. */
export function winogradUnsupported(g: Conv2dGeometry): string | undefined {
  if (g.kh !== 3 || g.kw !== 3) return `a 3×3 kernel, got ${g.kh}×${g.kw}`;
  if (g.sh !== 1 || g.sw !== 1) return `stride 1, got [${g.sh}, ${g.sw}]`;
  if (g.dh !== 1 || g.dw !== 1) return `dilation 1, got [${g.dh}, ${g.dw}]`;
  if (g.groups !== 1) return `groups = 1, got groups = ${g.groups}`;
  if (g.cin % 4 !== 0 || g.cout % 4 !== 0) return `Cin and Cout multiples of 4, got Cin = ${g.cin}, Cout = ${g.cout}`;
  return undefined;
}

/**
 * The 'auto' rule: the geometry has a Winograd form, the adapter has subgroups, Cin, Cout ≥
 * minChannels and the launch is at least minMacs multiply-adds. Measured on lavapipe, 3×3,
 * padding 1, each algo forced in turn in one process, mean of 5 after a warm-up, quiet machine,
 * 2026-12-06; forward / dx / dw in ms, the path 'auto' took before → Winograd:
 *   16→32 @14×14, N 512: GEMM 102 / 178 / 76 → 54 / 77 / 72;  N 128: GEMM 37 / 58 / 18 → 16 / 28 / 21;
 *                 N 64: direct 13 / 12 / 22 → 7 / 14 / 8
 *   32→64 @7×7,   N 128: GEMM 20 / 19 / 13 → 11 / 12 / 14;  N 64: direct 15 / 11 / 29 → 7 / 9 / 9
 * (N 64 of both is 2^25.8 multiply-adds; the quick ConvNet's fine-tuning and its SimCLR step run
 * these). Earlier, N 512, GEMM → Winograd: 32→64 @14×14 265 → 117 / 264 → 144 / 223 → 140;
 * 64→128 @7×7 194 → 140 / 205 → 166 / 177 → 125. Winograd does 16 multiplies per 2×2 output tile
 * instead of 36, with no im2col or transposing copies; 7×7 wastes 15 of 64 tile outputs.
 */
export function winogradPays(gpu: Gpu, g: Conv2dGeometry): boolean {
  if (winogradUnsupported(g) || !gpu.subgroupWidth()) return false;
  const macs = g.n * g.ho * g.wo * g.cin * g.cout * g.kh * g.kw;
  return Math.min(g.cin, g.cout) >= conv2dWinogradTuning.minChannels && macs >= conv2dWinogradTuning.minMacs;
}

const TM = 24; // rows per workgroup of conv2d_winograd_fused.wgsl

/**
 * out = conv(V, U) + bias for the T tiles of images n0 .. : V (16, T, Cin), U (16, Cin, Cout).
 * 32 columns per workgroup, all 16 ξ in turn (m_ξ stays in registers); same-process A/B on
 * lavapipe, N 512, loaded machine, against the 16 GEMMs into Mx (64 columns per workgroup for
 * Cout ≥ 64) + the output pass: 32→64 @14 forward 170 → 126 ms, dx 166 → 163; 64→128 @7 forward
 * 158 → 147, dx 168 → 160. 64 columns per workgroup or TM 32 here ran up to 2× slower (the
 * 4·TM vec4 output accumulators per lane, doubled, come on top of the GEMM's).
 */
function fused(gpu: Gpu, v: GpuArray, u: GpuArray, bias: GpuArray | undefined, g: Conv2dGeometry, out: GpuArray, label: string, n0: number, tH: number, tW: number): void {
  const [, T, cin] = v.shape;
  const cout = u.shape[2];
  const SG = gpu.subgroupWidth();
  const tilesN = ceilDiv(cout, 4 * SG);
  const tiles = tilesN * ceilDiv(T, TM);
  gpu.dispatch({
    kernel: label,
    pipeline: gpu.pipeline('conv2d.winograd.fused', fusedSource, { SG }),
    params: params().u32(T).u32(cin / 4).u32(cout / 4).u32(tilesN).u32(tiles).u32(n0).u32(g.ho).u32(g.wo).u32(tH).u32(tW).u32(bias ? 1 : 0).bytes,
    buffers: [v, u, bias ?? u, out],
    workgroups: grid1d(tiles, gpu.limits.maxComputeWorkgroupsPerDimension),
    flops: 2 * 16 * T * cin * cout + 28 * T * cout,
    bytes: 4 * (16 * (T * cin + cin * cout) + 4 * T * cout),
  });
}

const DW_TM = 32; // rows per workgroup of conv2d_winograd_dwgemm.wgsl

/** dU (16, Cin, Cout) (+)= Vᵀ · Ŷ over V (16, T, Cin), Ŷ (16, T, Cout); matmul() where there are no subgroups (conv2d_winograd_dwgemm.wgsl needs them) or `portable`. */
function dwGemm(gpu: Gpu, v: GpuArray, yh: GpuArray, du: GpuArray, accumulate: boolean, portable: boolean): void {
  const label = 'conv2d.dw.winograd.gemm';
  const [, T, cin] = v.shape;
  const cout = yh.shape[2];
  const SG = portable ? 0 : gpu.subgroupWidth();
  if (!SG) {
    matmul(gpu, v, yh, { transA: true, accumulate, out: du, label });
    return;
  }
  const wide = cout >= 8 * SG;
  const tilesN = ceilDiv(cout, (wide ? 8 : 4) * SG);
  const tilesM = ceilDiv(cin, DW_TM);
  const tiles = 16 * tilesN * tilesM;
  gpu.dispatch({
    kernel: label,
    pipeline: gpu.pipeline('conv2d.winograd.dwgemm', dwGemmSource, { SG, WIDE: Number(wide) }),
    params: params().u32(T).u32(cin / 4).u32(cout / 4).u32(tilesN).u32(tilesM).u32(tiles).u32(accumulate ? 1 : 0).bytes,
    buffers: [v, yh, du],
    workgroups: grid1d(tiles, gpu.limits.maxComputeWorkgroupsPerDimension),
    flops: 2 * 16 * T * cin * cout,
    bytes: 4 * 16 * (T * cin + T * cout + cin * cout * (accumulate ? 2 : 1)),
  });
}

/** (16, R, C) transformed weight: forward R = Cin, C = Cout; flip (dx) R = Cout, C = Cin. */
function weightTransform(gpu: Gpu, weight: GpuArray, g: Conv2dGeometry, flip: boolean): GpuArray {
  const WG = 64;
  const [R, C] = flip ? [g.cout, g.cin] : [g.cin, g.cout];
  const u = gpu.empty([16, R, C], 'f32', 'conv2d.winograd.u');
  const n = R * (C / 4);
  gpu.dispatch({
    kernel: 'conv2d.winograd.weight',
    pipeline: gpu.pipeline('conv2d.winograd.weight', weightSource, { WG }),
    params: params().u32(R).u32(C / 4).u32(g.cin).u32(flip ? 1 : 0).bytes,
    buffers: [weight, u],
    workgroups: grid1d(ceilDiv(n, WG), gpu.limits.maxComputeWorkgroupsPerDimension),
    flops: 28 * R * C,
    bytes: 4 * 25 * R * C,
  });
  return u;
}

const view = (a: GpuArray, shape: number[]): GpuArray => ({ ...a, shape });

/**
 * Tiles per image side and images per chunk for workspace arrays (16, T, c) of `channels` c each:
 * each within the binding limit, all together within workspaceBytes.
 */
function chunking(gpu: Gpu, kernel: string, g: Conv2dGeometry, channels: number[]): { tH: number; tW: number; nc: number } {
  const tH = ceilDiv(g.ho, 2);
  const tW = ceilDiv(g.wo, 2);
  const perImage = 16 * tH * tW * 4; // bytes of one image's V, Mx or Ŷ per channel
  const maxImages = Math.floor(gpu.limits.maxStorageBufferBindingSize / (perImage * Math.max(...channels)));
  check(maxImages >= 1, kernel, 'x', () => `one image's Winograd workspace exceeds maxStorageBufferBindingSize; use algo: 'gemm'`);
  const sum = channels.reduce((a, c) => a + c, 0);
  const fit = Math.max(1, Math.min(maxImages, Math.floor(conv2dWinogradTuning.workspaceBytes / (perImage * sum))));
  return { tH, tW, nc: ceilDiv(g.n, ceilDiv(g.n, fit)) };
}

/** V (16, T, Cin) of images n0 .. n0 + T/(tH·tW) − 1 of x. */
function inputTransform(gpu: Gpu, kernel: string, x: GpuArray, v: GpuArray, g: Conv2dGeometry, tH: number, tW: number, n0: number, T: number): void {
  const WG = 64;
  gpu.dispatch({
    kernel,
    pipeline: gpu.pipeline('conv2d.winograd.input', inputSource, { WG }),
    params: params().u32(T / tW).u32(n0).u32(g.cin / 4).u32(g.h).u32(g.w).u32(tH).u32(tW).i32(g.ph).i32(g.pw).u32(T).bytes,
    buffers: [x, v],
    workgroups: grid1d(ceilDiv((T / tW) * (g.cin / 4), WG), gpu.limits.maxComputeWorkgroupsPerDimension),
    flops: 32 * T * g.cin,
    bytes: 4 * 32 * T * g.cin,
  });
}

/**
 * out = conv(x, U) + bias over chunks of images, for a geometry already checked by
 * winogradUnsupported; `g` is the conv actually run (for dx, the transposed one).
 */
function winogradConv(gpu: Gpu, kernel: string, x: GpuArray, u: GpuArray, bias: GpuArray | undefined, g: Conv2dGeometry, out: GpuArray, label: string, portable: boolean): void {
  const WG = 64;
  const maxDim = gpu.limits.maxComputeWorkgroupsPerDimension;
  const fuse = !portable && gpu.subgroupWidth() > 0; // conv2d_winograd_fused.wgsl needs subgroups
  const { tH, tW, nc } = chunking(gpu, kernel, g, fuse ? [g.cin] : [g.cin, g.cout]);
  const v = gpu.empty([16, nc * tH * tW, g.cin], 'f32', 'conv2d.winograd.v');
  const mx = fuse ? undefined : gpu.empty([16, nc * tH * tW, g.cout], 'f32', 'conv2d.winograd.m');
  for (let n0 = 0; n0 < g.n; n0 += nc) {
    const T = Math.min(nc, g.n - n0) * tH * tW;
    inputTransform(gpu, 'conv2d.winograd.input', x, v, g, tH, tW, n0, T);
    if (!mx) {
      fused(gpu, view(v, [16, T, g.cin]), u, bias, g, out, label, n0, tH, tW);
      continue;
    }
    matmul(gpu, view(v, [16, T, g.cin]), u, { out: view(mx, [16, T, g.cout]), label });
    gpu.dispatch({
      kernel: 'conv2d.winograd.output',
      pipeline: gpu.pipeline('conv2d.winograd.output', outputSource, { WG }),
      params: params().u32(T).u32(n0).u32(g.cout / 4).u32(g.ho).u32(g.wo).u32(tH).u32(tW).u32(bias ? 1 : 0).bytes,
      buffers: [mx, bias ?? mx, out],
      workgroups: grid1d(ceilDiv(T * (g.cout / 4), WG), maxDim),
      flops: 28 * T * g.cout,
      bytes: 4 * 20 * T * g.cout,
    });
  }
  gpu.free(v);
  if (mx) gpu.free(mx);
}

/** Throws KernelInputError naming `kernel` when the geometry has no Winograd form here. */
export function checkWinograd(kernel: string, g: Conv2dGeometry): void {
  const why = winogradUnsupported(g);
  check(!why, kernel, 'algo', () => `'winograd' needs ${why}`);
}

/** y = conv2d(x, weight) + bias into `out` (N, Cout, Ho, Wo); shapes already validated. */
export function conv2dWinograd(gpu: Gpu, x: GpuArray, weight: GpuArray, bias: GpuArray | null | undefined, g: Conv2dGeometry, out: GpuArray, portable = false): void {
  checkWinograd('conv2d', g);
  const u = weightTransform(gpu, weight, g, false);
  winogradConv(gpu, 'conv2d', x, u, bias ?? undefined, g, out, 'conv2d.winograd.gemm', portable);
  gpu.free(u);
}

/** dx (N, Cin, H, W) into `out` from dy (N, Cout, Ho, Wo) and weight; shapes already validated. */
export function conv2dWinogradBackwardData(gpu: Gpu, dy: GpuArray, weight: GpuArray, g: Conv2dGeometry, out: GpuArray, portable = false): void {
  checkWinograd('conv2d.dx', g);
  // the transposed conv: input dy, output dx, padding 2 − PH
  const gt: Conv2dGeometry = { ...g, cin: g.cout, h: g.ho, w: g.wo, cout: g.cin, ho: g.h, wo: g.w, cinG: g.cout, coutG: g.cin, ph: 2 - g.ph, pw: 2 - g.pw };
  const u = weightTransform(gpu, weight, g, true);
  winogradConv(gpu, 'conv2d.dx', dy, u, undefined, gt, out, 'conv2d.dx.winograd.gemm', portable);
  gpu.free(u);
}

/** dw (Cout, Cin, 3, 3) into `out` from dy (N, Cout, Ho, Wo) and x; shapes already validated. */
export function conv2dWinogradBackwardWeight(gpu: Gpu, dy: GpuArray, x: GpuArray, g: Conv2dGeometry, out: GpuArray, portable = false): void {
  const kernel = 'conv2d.dw';
  checkWinograd(kernel, g);
  const WG = 64;
  const maxDim = gpu.limits.maxComputeWorkgroupsPerDimension;
  const { tH, tW, nc } = chunking(gpu, kernel, g, [g.cin, g.cout]);
  const v = gpu.empty([16, nc * tH * tW, g.cin], 'f32', 'conv2d.winograd.v');
  const yh = gpu.empty([16, nc * tH * tW, g.cout], 'f32', 'conv2d.winograd.yh');
  const du = gpu.empty([16, g.cin, g.cout], 'f32', 'conv2d.winograd.du');
  for (let n0 = 0; n0 < g.n; n0 += nc) {
    const T = Math.min(nc, g.n - n0) * tH * tW;
    inputTransform(gpu, 'conv2d.dw.winograd.input', x, v, g, tH, tW, n0, T);
    gpu.dispatch({
      kernel: 'conv2d.dw.winograd.dy',
      pipeline: gpu.pipeline('conv2d.winograd.dy', dySource, { WG }),
      params: params().u32(T).u32(n0).u32(g.cout / 4).u32(g.ho).u32(g.wo).u32(tH).u32(tW).u32(0).bytes,
      buffers: [dy, yh],
      workgroups: grid1d(ceilDiv(T * (g.cout / 4), WG), maxDim),
      flops: 16 * T * g.cout,
      bytes: 4 * 20 * T * g.cout,
    });
    // dU[ξ] (Cin, Cout) += V[ξ]ᵀ (Cin, T) · Ŷ[ξ] (T, Cout)
    dwGemm(gpu, view(v, [16, T, g.cin]), view(yh, [16, T, g.cout]), du, n0 > 0, portable);
  }
  gpu.dispatch({
    kernel: 'conv2d.dw.winograd.weight',
    pipeline: gpu.pipeline('conv2d.winograd.dw', dwSource, { WG }),
    params: params().u32(g.cin).u32(g.cout / 4).bytes,
    buffers: [du, out],
    workgroups: grid1d(ceilDiv(g.cin * (g.cout / 4), WG), maxDim),
    flops: 28 * g.cin * g.cout,
    bytes: 4 * 25 * g.cin * g.cout,
  });
  for (const a of [v, yh, du]) gpu.free(a);
}
