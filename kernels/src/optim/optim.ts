// Optimizer steps over one flat parameter buffer (all of a model's parameters, as views into
// it), its flat gradient buffer and flat state buffers, each ONE dispatch for all parameters.
// Per-segment lr / weight-decay multipliers come from a ParamLayout (layout.ts): every
// workgroup owns a block of ≤ 1024 elements inside one segment, found by one table read.
// Everything is in place; state buffers must start at zero. No readback anywhere.
import { check, type Gpu, type GpuArray, grid1d, params } from '@pretext/gpu';
import { checkParamBuffer, elementwise } from './flat.js';
import type { ParamLayout } from './layout.js';
import { segmentNorms } from './norms.js';
import optimSource from './optim.wgsl.js';

export interface SgdOptions {
  lr: number;
  momentum?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

export interface AdamOptions {
  lr: number;
  /** The step number t ≥ 1 (this update's), for the bias corrections 1 − β^t. */
  step: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  /** AdamW: decoupled weight decay w ← w·(1 − lr·λ) instead of L2 added to the gradient. */
  decoupled?: boolean;
}

export interface LarsOptions {
  lr: number;
  momentum?: number;
  weightDecay?: number;
  /** Trust coefficient η (SimCLR: 0.001). */
  eta?: number;
  nesterov?: boolean;
}

interface Uniforms {
  lr: number;
  wd?: number;
  momentum?: number;
  nesterov?: boolean;
  beta1?: number;
  beta2?: number;
  eps?: number;
  bc1?: number;
  sqrtBc2?: number;
  decoupled?: boolean;
  eta?: number;
}

// optim.wgsl's Params, in declaration order
function pack(layout: ParamLayout, u: Uniforms): Uint8Array {
  return params()
    .u32(layout.numBlocks).f32(u.lr).f32(u.wd ?? 0).f32(u.momentum ?? 0).u32(u.nesterov ? 1 : 0)
    .f32(u.beta1 ?? 0).f32(u.beta2 ?? 0).f32(u.eps ?? 0).f32(u.bc1 ?? 1).f32(u.sqrtBc2 ?? 1)
    .u32(u.decoupled ? 1 : 0).f32(u.eta ?? 0).bytes;
}

function checkNumber(kernel: string, name: string, v: number, ok: (v: number) => boolean, range: string) {
  check(typeof v === 'number' && Number.isFinite(v) && ok(v), kernel, name, () => `must be ${range}, got ${v}`);
}

function launch(gpu: Gpu, kernel: string, entry: string, layout: ParamLayout, u: Uniforms, buffers: GpuArray[], bytesPerElem: number, flopsPerElem: number) {
  gpu.dispatch({
    kernel,
    pipeline: gpu.pipeline(kernel, optimSource, {}, entry),
    params: pack(layout, u),
    buffers: [layout.table, layout.blocks, ...buffers],
    workgroups: grid1d(layout.numBlocks, gpu.limits.maxComputeWorkgroupsPerDimension),
    flops: flopsPerElem * layout.n,
    bytes: bytesPerElem * layout.n,
  });
}

/** SGD (PyTorch semantics, dampening 0). `momentumBuf` is required when momentum > 0. Returns w. */
export function sgdStep(gpu: Gpu, layout: ParamLayout, w: GpuArray, g: GpuArray, momentumBuf: GpuArray | null, opts: SgdOptions): GpuArray {
  const kernel = 'optim.sgd';
  const { lr, momentum = 0, weightDecay = 0, nesterov = false } = opts;
  checkNumber(kernel, 'lr', lr, (v) => v >= 0, 'finite and ≥ 0');
  checkNumber(kernel, 'momentum', momentum, (v) => v >= 0, 'finite and ≥ 0');
  checkNumber(kernel, 'weightDecay', weightDecay, (v) => v >= 0, 'finite and ≥ 0');
  check(!nesterov || momentum > 0, kernel, 'nesterov', () => 'Nesterov momentum requires momentum > 0');
  checkParamBuffer(gpu, kernel, 'params', w, layout.n);
  checkParamBuffer(gpu, kernel, 'grads', g, layout.n);
  const u = { lr, wd: weightDecay, momentum, nesterov };
  if (momentum === 0) {
    launch(gpu, kernel, 'sgd_plain', layout, u, [w, g], 12, 4);
  } else {
    check(momentumBuf, kernel, 'momentumBuf', () => 'a zero-initialised state buffer is required when momentum > 0');
    checkParamBuffer(gpu, kernel, 'momentumBuf', momentumBuf, layout.n);
    launch(gpu, kernel, 'sgd', layout, u, [w, g, momentumBuf], 20, 7);
  }
  return w;
}

/** Adam / AdamW with bias correction (PyTorch semantics); m and v start at zero. Returns w. */
export function adamStep(gpu: Gpu, layout: ParamLayout, w: GpuArray, g: GpuArray, state: { m: GpuArray; v: GpuArray }, opts: AdamOptions): GpuArray {
  const kernel = opts.decoupled ? 'optim.adamw' : 'optim.adam';
  const { lr, step, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = 0, decoupled = false } = opts;
  checkNumber(kernel, 'lr', lr, (v) => v >= 0, 'finite and ≥ 0');
  checkNumber(kernel, 'step', step, (v) => Number.isInteger(v) && v >= 1, 'an integer ≥ 1');
  checkNumber(kernel, 'beta1', beta1, (v) => v >= 0 && v < 1, 'in [0, 1)');
  checkNumber(kernel, 'beta2', beta2, (v) => v >= 0 && v < 1, 'in [0, 1)');
  checkNumber(kernel, 'eps', eps, (v) => v > 0, 'finite and > 0');
  checkNumber(kernel, 'weightDecay', weightDecay, (v) => v >= 0, 'finite and ≥ 0');
  checkParamBuffer(gpu, kernel, 'params', w, layout.n);
  checkParamBuffer(gpu, kernel, 'grads', g, layout.n);
  checkParamBuffer(gpu, kernel, 'm', state.m, layout.n);
  checkParamBuffer(gpu, kernel, 'v', state.v, layout.n);
  const bc1 = 1 - beta1 ** step;
  const sqrtBc2 = Math.sqrt(1 - beta2 ** step);
  // read w, g, m, v; write w, m, v
  launch(gpu, kernel, 'adam', layout, { lr, wd: weightDecay, beta1, beta2, eps, bc1, sqrtBc2, decoupled }, [w, g, state.m, state.v], 28, 14);
  return w;
}

/**
 * LARS (SimCLR): per-segment trust ratios from ‖w‖ and ‖g‖ computed on the GPU (two
 * segmentNorms launches), then one update launch; segments with lars = false get plain
 * SGD + momentum with their own multipliers. Returns w.
 */
export function larsStep(gpu: Gpu, layout: ParamLayout, w: GpuArray, g: GpuArray, momentumBuf: GpuArray, opts: LarsOptions): GpuArray {
  const kernel = 'optim.lars';
  const { lr, momentum = 0.9, weightDecay = 0, eta = 0.001, nesterov = false } = opts;
  checkNumber(kernel, 'lr', lr, (v) => v >= 0, 'finite and ≥ 0');
  checkNumber(kernel, 'momentum', momentum, (v) => v >= 0, 'finite and ≥ 0');
  checkNumber(kernel, 'weightDecay', weightDecay, (v) => v >= 0, 'finite and ≥ 0');
  checkNumber(kernel, 'eta', eta, (v) => v > 0, 'finite and > 0');
  checkParamBuffer(gpu, kernel, 'params', w, layout.n);
  checkParamBuffer(gpu, kernel, 'grads', g, layout.n);
  checkParamBuffer(gpu, kernel, 'momentumBuf', momentumBuf, layout.n);
  const wNorm = segmentNorms(gpu, layout, w);
  const gNorm = segmentNorms(gpu, layout, g);
  launch(gpu, kernel, 'lars', layout, { lr, wd: weightDecay, momentum, nesterov, eta }, [w, g, momentumBuf, wNorm, gNorm], 20, 8);
  gpu.free(wNorm);
  gpu.free(gNorm);
  return w;
}

/** target ← m·target + (1 − m)·source over flat buffers, in place (MoCo / BYOL). Returns target. */
export function ema(gpu: Gpu, target: GpuArray, source: GpuArray, m: number): GpuArray {
  const kernel = 'optim.ema';
  const n = checkParamBuffer(gpu, kernel, 'target', target);
  checkParamBuffer(gpu, kernel, 'source', source, n);
  checkNumber(kernel, 'm', m, (v) => v >= 0 && v <= 1, 'in [0, 1]');
  elementwise(gpu, kernel, 'ema', n, m, [target, source], { flops: 3 * n, bytes: 12 * n });
  return target;
}
