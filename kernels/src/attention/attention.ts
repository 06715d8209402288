// Fused attention, forward and backward: validate → pick the shaders → launch.
//   attention(Q, K, V) → { out: O (B, H, Tq, d), lse: L (B, H, Tq) }
//   attentionBackward(Q, K, V, O, L, dO) → { dq, dk, dv }   (two passes, no atomics)
// Shaders: attention_sg.wgsl + attention_backward_sg.wgsl (one subgroup per workgroup, vec4 rows)
// where the adapter has subgroups and d % 4 == 0; otherwise
// attention.wgsl + attention_backward.wgsl (an invocation per row, tiles in workgroup memory).
import { check, checkArray, checkNonEmpty, type Gpu, type GpuArray, grid1d, outArray, params, sameShape, shapeString, specialize } from '@pretext/gpu';
import source from './attention.wgsl.js';
import backwardSource from './attention_backward.wgsl.js';
import backwardSgSource from './attention_backward_sg.wgsl.js';
import deltaSource from './attention_delta.wgsl.js';
import sgSource from './attention_sg.wgsl.js';

const ROWS = 64;
export const ATTENTION_MAX_D = 128;

/** Knobs of the variant choice (tests set `sg: false` to reach the portable shaders where subgroups run). */
export const attentionTuning = {
  sg: true,
  /** Query rows per workgroup of attention_sg.wgsl (its template slot TM). */
  sgRowsForward: 16,
  /** Owned rows per workgroup of attention_backward_sg.wgsl (TM): 32 spilled and ran slower here. */
  sgRowsBackward: 16,
};

/**
 * Which shaders run: 'sg' (attention_sg.wgsl, attention_backward_sg.wgsl: one subgroup of SG lanes
 * per workgroup, vec4 rows; needs subgroups and d % 4 == 0), else 'tiles'
 * (attention.wgsl, attention_backward.wgsl: an invocation per row, tiles in workgroup memory).
 */
export function attentionVariant(gpu: Gpu, d: number): 'sg' | 'tiles' {
  return attentionTuning.sg && gpu.subgroupWidth() > 0 && d % 4 === 0 ? 'sg' : 'tiles';
}

/** The sg shaders' grid: `groups` workgroups of SG lanes by z = chunks of 4·SG output columns (each rescores its tiles). */
function sgGrid(groups: number, d: number, sg: number, maxDim: number): [number, number, number] {
  const [gx, gy] = grid1d(groups, maxDim);
  return [gx, gy, Math.ceil(d / (4 * sg))];
}

export interface AttentionMaskOpts {
  /** Multiplies Q·Kᵀ (default 1/√d). Any finite value. */
  scale?: number;
  /** Key padding (B, Tk): u32/i32 nonzero keeps key j, 0 drops it; f32 is added to the scores (−∞ drops). */
  mask?: GpuArray;
  /** Key j hidden from query i when j > i + causalOffset. */
  causal?: boolean;
  /** Default 0 (top-left aligned); Tk − Tq aligns the last query with the last key. */
  causalOffset?: number;
}

interface Dims { b: number; h: number; tq: number; tk: number; d: number }

// Keys (or queries) per workgroup-memory tile: two tiles of TILE·⌈d/4⌉ vec4, the forward's
// ROWS·TILE scores and two TILE vectors must fit in workgroup memory (32 KiB on lavapipe).
function tileFor(gpu: Gpu, d4: number): number {
  let t = 32;
  while (t > 1 && 2 * t * d4 * 16 + ROWS * t * 4 + 2 * t * 4 > gpu.limits.maxComputeWorkgroupStorageSize) t /= 2;
  return t;
}


// The D4 override only sizes the workgroup tiles (column loops read ⌈d/4⌉ at run time), so all
// d share two pipelines per entry point: cold compiles on lavapipe are slow.
function d4Class(d: number): number {
  return d <= 64 ? 16 : 32;
}

function dims(kernel: string, gpu: Gpu, q: GpuArray, k: GpuArray, v: GpuArray): Dims {
  for (const [name, a] of [['q', q], ['k', k], ['v', v]] as const) {
    check(a.shape.length === 4, kernel, name, () => `must be (B, H, T, d), got ${shapeString(a.shape)}`);
    checkNonEmpty(kernel, name, a.shape);
  }
  const [b, h, tq, d] = q.shape;
  const tk = k.shape[2];
  check(k.shape[3] === d, kernel, 'k', () => `head size d = ${k.shape[3]} differs from q's ${d}`);
  check(v.shape[3] === d, kernel, 'v', () => `head size d = ${v.shape[3]} differs from q's ${d}`);
  check(d <= ATTENTION_MAX_D, kernel, 'q', () => `head size d = ${d} exceeds the supported ${ATTENTION_MAX_D}`);
  checkArray(gpu, kernel, 'q', q, [b, h, tq, d]);
  checkArray(gpu, kernel, 'k', k, [b, h, tk, d]);
  checkArray(gpu, kernel, 'v', v, [b, h, tk, d]);
  return { b, h, tq, tk, d };
}

// The uniform fields after (tq, tk, d, heads, tiles): scale, mask kind, causal, offset.
function maskParams(kernel: string, x: Dims, o: AttentionMaskOpts): { scale: number; kind: number; causal: number; offset: number } {
  const scale = o.scale ?? 1 / Math.sqrt(x.d);
  check(Number.isFinite(scale), kernel, 'scale', () => `must be finite, got ${scale}`);
  const offset = o.causalOffset ?? 0;
  check(Number.isInteger(offset), kernel, 'causalOffset', () => `must be an integer, got ${offset}`);
  let kind = 0;
  if (o.mask) {
    const m = o.mask;
    check(m.dtype === 'f32' || m.dtype === 'u32' || m.dtype === 'i32', kernel, 'mask', () => `dtype must be u32/i32 (boolean) or f32 (additive), got ${m.dtype}`);
    check(sameShape(m.shape, [x.b, x.tk]), kernel, 'mask', () => `key padding mask must be (B, Tk) = ${shapeString([x.b, x.tk])}, got ${shapeString(m.shape)}`);
    kind = m.dtype === 'f32' ? 2 : 1;
  }
  return { scale, kind, causal: o.causal ? 1 : 0, offset };
}

/** attention_sg.inc.wgsl's Params for `rows` owned rows (Tq or Tk) in tiles of tm. */
function sgParams(x: Dims, mp: ReturnType<typeof maskParams>, rows: number, tm: number): Uint8Array {
  const tiles = Math.ceil(rows / tm);
  return params().u32(x.tq).u32(x.tk).u32(x.d / 4).u32(x.h).u32(tiles).u32(x.b * x.h * tiles)
    .f32(mp.scale).u32(mp.kind).u32(mp.causal).i32(mp.offset).f32(-Infinity).u32(tm).bytes;
}

/** attention_tiles.inc.wgsl's Params for `rows` owned rows (Tq or Tk), streamed tiles of `tile`. */
function tileParams(x: Dims, mp: ReturnType<typeof maskParams>, rows: number, tile: number): Uint8Array {
  return params().u32(x.tq).u32(x.tk).u32(x.d).u32(x.h).u32(Math.ceil(rows / ROWS))
    .f32(mp.scale).u32(mp.kind).u32(mp.causal).i32(mp.offset).f32(-Infinity).u32(tile).bytes;
}

/** Unmasked (query, key) pairs per head, for FLOP counts. */
function pairs(x: Dims, o: AttentionMaskOpts): number {
  if (!o.causal) return x.tq * x.tk;
  let n = 0;
  for (let i = 0; i < x.tq; i++) n += Math.max(0, Math.min(x.tk, i + (o.causalOffset ?? 0) + 1));
  return n;
}

/** O = softmax(scale·Q·Kᵀ + mask)·V and the row logsumexp L; fully masked rows: O = 0, L = −∞. */
export function attention(
  gpu: Gpu, q: GpuArray, k: GpuArray, v: GpuArray,
  opts: AttentionMaskOpts & { out?: GpuArray; lse?: GpuArray } = {},
): { out: GpuArray; lse: GpuArray } {
  const kernel = 'attention';
  const x = dims(kernel, gpu, q, k, v);
  const mp = maskParams(kernel, x, opts);
  const bh = x.b * x.h;
  const out = outArray(gpu, kernel, q.shape, opts.out);
  const lse = outArray(gpu, kernel, [x.b, x.h, x.tq], opts.lse, { name: 'lse' });
  // Q·Kᵀ and P·V: 2·d FLOPs each per visible (i, j); compulsory bytes: Q, K, V read, O and L written
  const flops = 4 * x.d * bh * pairs(x, opts);
  const bytes = 4 * bh * (2 * x.tq * x.d + 2 * x.tk * x.d + x.tq);
  const maxDim = gpu.limits.maxComputeWorkgroupsPerDimension;
  if (attentionVariant(gpu, x.d) === 'sg') {
    const tm = attentionTuning.sgRowsForward;
    const SG = gpu.subgroupWidth();
    gpu.dispatch({
      kernel,
      pipeline: gpu.pipeline(`${kernel}.sg`, specialize(sgSource, { TM: tm }), { SG }),
      params: sgParams(x, mp, x.tq, tm),
      buffers: [q, k, v, opts.mask ?? q, out, lse],
      workgroups: sgGrid(bh * Math.ceil(x.tq / tm), x.d, SG, maxDim),
      flops,
      bytes,
    });
    return { out, lse };
  }
  const d4 = d4Class(x.d);
  const tile = tileFor(gpu, d4);
  gpu.dispatch({
    kernel,
    pipeline: gpu.pipeline(kernel, source, { D4: d4, ROWS, TILE: tile }),
    params: tileParams(x, mp, x.tq, tile),
    buffers: [q, k, v, opts.mask ?? q, out, lse],
    workgroups: grid1d(bh * Math.ceil(x.tq / ROWS), maxDim),
    flops,
    bytes,
  });
  return { out, lse };
}

/** dQ, dK, dV of attention from its inputs, its saved O and L, and dO. Same masks and scale as the forward. */
export function attentionBackward(
  gpu: Gpu, q: GpuArray, k: GpuArray, v: GpuArray, out: GpuArray, lse: GpuArray, dout: GpuArray,
  opts: AttentionMaskOpts & { dq?: GpuArray; dk?: GpuArray; dv?: GpuArray } = {},
): { dq: GpuArray; dk: GpuArray; dv: GpuArray } {
  const kernel = 'attentionBackward';
  const x = dims(kernel, gpu, q, k, v);
  const mp = maskParams(kernel, x, opts);
  checkArray(gpu, kernel, 'out', out, q.shape);
  checkArray(gpu, kernel, 'dout', dout, q.shape);
  checkArray(gpu, kernel, 'lse', lse, [x.b, x.h, x.tq]);
  const dq = outArray(gpu, kernel, q.shape, opts.dq, { name: 'dq' });
  const dk = outArray(gpu, kernel, k.shape, opts.dk, { name: 'dk' });
  const dv = outArray(gpu, kernel, v.shape, opts.dv, { name: 'dv' });
  const bh = x.b * x.h;
  const np = bh * pairs(x, opts);
  const mask = opts.mask ?? q;
  const maxDim = gpu.limits.maxComputeWorkgroupsPerDimension;
  // per visible (i, j): q·k, dO·v, dS·k → 6·d in the dQ pass; q·k, dO·v, P·dO, dS·q → 8·d in the dK/dV pass
  const work = {
    dq: { flops: 6 * x.d * np, bytes: 4 * bh * (4 * x.tq * x.d + 2 * x.tk * x.d + x.tq) },
    dkv: { flops: 8 * x.d * np, bytes: 4 * bh * (3 * x.tq * x.d + 4 * x.tk * x.d + x.tq) },
  };
  if (attentionVariant(gpu, x.d) === 'sg') {
    // D = rowsum(dO ⊙ O) (BH, Tq), read by both passes
    const rows = bh * x.tq;
    const delta = gpu.empty([bh, x.tq], 'f32', 'attention.delta');
    gpu.dispatch({
      kernel: 'attentionBackward.delta',
      pipeline: gpu.pipeline('attentionBackward.delta', deltaSource),
      params: params().u32(rows).u32(x.d / 4).bytes,
      buffers: [out, dout, delta],
      workgroups: grid1d(Math.ceil(rows / 64), maxDim),
      flops: 2 * rows * x.d,
      bytes: 4 * rows * (2 * x.d + 1),
    });
    const tm = attentionTuning.sgRowsBackward;
    const src = specialize(backwardSgSource, { TM: tm });
    const SG = gpu.subgroupWidth();
    gpu.dispatch({
      kernel: 'attentionBackward.dq',
      pipeline: gpu.pipeline('attentionBackward.dq.sg', src, { SG }, 'dq_main'),
      params: sgParams(x, mp, x.tq, tm),
      buffers: [q, k, v, mask, dout, lse, delta, dq],
      workgroups: sgGrid(bh * Math.ceil(x.tq / tm), x.d, SG, maxDim),
      ...work.dq,
    });
    gpu.dispatch({
      kernel: 'attentionBackward.dkv',
      pipeline: gpu.pipeline('attentionBackward.dkv.sg', src, { SG }, 'dkv_main'),
      params: sgParams(x, mp, x.tk, tm),
      buffers: [q, k, v, mask, dout, lse, delta, dk, dv],
      workgroups: sgGrid(bh * Math.ceil(x.tk / tm), x.d, SG, maxDim),
      ...work.dkv,
    });
    gpu.free(delta);
    return { dq, dk, dv };
  }
  const d4 = d4Class(x.d);
  const constants = { D4: d4, ROWS, TILE: tileFor(gpu, d4) };
  gpu.dispatch({
    kernel: 'attentionBackward.dq',
    pipeline: gpu.pipeline('attentionBackward.dq', backwardSource, constants, 'dq_main'),
    params: tileParams(x, mp, x.tq, constants.TILE),
    buffers: [q, k, v, mask, out, dout, lse, dq],
    workgroups: grid1d(bh * Math.ceil(x.tq / ROWS), maxDim),
    ...work.dq,
  });
  gpu.dispatch({
    kernel: 'attentionBackward.dkv',
    pipeline: gpu.pipeline('attentionBackward.dkv', backwardSource, constants, 'dkv_main'),
    params: tileParams(x, mp, x.tk, constants.TILE),
    buffers: [q, k, v, mask, out, dout, lse, dk, dv],
    workgroups: grid1d(bh * Math.ceil(x.tk / ROWS), maxDim),
    ...work.dkv,
  });
  return { dq, dk, dv };
}
