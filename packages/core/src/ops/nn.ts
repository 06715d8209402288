// Neural-network ops on the fused kernels: matmul, softmax, attention, conv, pooling, norms, dropout.
import { record } from '../autograd.js';
import type { Conv2dSpec, MaskSpec, Storage, UpsampleMode } from '../backend.js';
import { fmt, ShapeError } from '../shape.js';
import { Tensor } from '../tensor.js';
import { reshape } from './shape.js';

const pair = (v: number | [number, number]): [number, number] => (typeof v === 'number' ? [v, v] : v);

/** (…, M, K)·(…, K, N) with optional transposes and a bias over N. */
export function matmul(a: Tensor, b: Tensor, opts: { transA?: boolean; transB?: boolean; bias?: Tensor } = {}): Tensor {
  a.sameBackend('matmul', b);
  const transA = opts.transA ?? false;
  const transB = opts.transB ?? false;
  if (a.rank < 2 || b.rank < 2) throw new ShapeError('matmul', `needs rank ≥ 2, got ${fmt(a.shape)} and ${fmt(b.shape)}`);
  const k1 = a.shape[a.rank - (transA ? 2 : 1)];
  const k2 = b.shape[b.rank - (transB ? 1 : 2)];
  if (k1 !== k2) throw new ShapeError('matmul', `inner dims differ: ${fmt(a.shape)}${transA ? 'ᵀ' : ''} · ${fmt(b.shape)}${transB ? 'ᵀ' : ''}`);
  const bias = opts.bias;
  const out = new Tensor(a.backend.matmul(a.storage, b.storage, transA, transB, bias?.storage), a.backend);
  return record('matmul', { transA, transB, hasBias: !!bias }, bias ? [a, b, bias] : [a, b], out);
}

/** y = x·Wᵀ + b, W (out, in) as PyTorch's nn.Linear; any leading dims of x. */
export function linear(x: Tensor, w: Tensor, b?: Tensor): Tensor {
  const lead = x.shape.slice(0, -1);
  const x2 = x.rank === 2 ? x : reshape(x, [-1, x.shape[x.rank - 1]]);
  const y = matmul(x2, w, { transB: true, bias: b });
  return x.rank === 2 ? y : reshape(y, [...lead, w.shape[0]]);
}

export interface SoftmaxOptions {
  scale?: number;
  /** Additive f32 mask or boolean (i32, 1 = keep) per key, broadcastable to x. */
  mask?: Tensor;
  maskKind?: 'additive' | 'boolean';
  causal?: boolean;
}

function maskSpec(o: SoftmaxOptions): MaskSpec<Storage> {
  return { mask: o.mask?.storage, maskKind: o.mask ? (o.maskKind ?? (o.mask.dtype === 'i32' ? 'boolean' : 'additive')) : undefined, causal: o.causal };
}

/** softmax(scale·x + mask) over the last axis; fully masked rows give zeros. */
export function softmax(x: Tensor, opts: SoftmaxOptions = {}): Tensor {
  const scale = opts.scale ?? 1;
  return record('softmax', { scale, log: false }, [x], new Tensor(x.backend.softmax(x.storage, scale, maskSpec(opts), false), x.backend));
}

export function logSoftmax(x: Tensor, opts: SoftmaxOptions = {}): Tensor {
  const scale = opts.scale ?? 1;
  return record('softmax', { scale, log: true }, [x], new Tensor(x.backend.softmax(x.storage, scale, maskSpec(opts), true), x.backend));
}

/**
 * softmax(Q·Kᵀ·scale + mask)·V, fused (the Tq×Tk scores are never stored). Q (B, H, Tq, d), K, V
 * (B, H, Tk, d); causal hides key j from query i when j > i + causalOffset (a KV cache: offset =
 * the tokens already cached).
 */
export function attention(q: Tensor, k: Tensor, v: Tensor, opts: { scale?: number; mask?: Tensor; causal?: boolean; causalOffset?: number } = {}): Tensor {
  if (q.rank !== 4 || k.rank !== 4 || v.rank !== 4) throw new ShapeError('attention', `Q, K, V must be (B, H, T, d), got ${fmt(q.shape)}, ${fmt(k.shape)}, ${fmt(v.shape)}`);
  const scale = opts.scale ?? 1 / Math.sqrt(q.shape[3]);
  const causalOffset = opts.causalOffset ?? 0;
  const m = { ...maskSpec({ mask: opts.mask, causal: opts.causal }), causalOffset };
  const { out, saved } = q.backend.attention(q.storage, k.storage, v.storage, scale, m);
  if (m.mask) saved.mask = q.backend.view(m.mask, m.mask.shape);
  return record('attention', { scale, causal: !!opts.causal, causalOffset, maskKind: m.maskKind }, [q, k, v], new Tensor(out, q.backend), saved);
}

export interface Conv2dOptions {
  stride?: number | [number, number];
  padding?: number | [number, number];
  dilation?: number | [number, number];
  groups?: number;
}

/** NCHW convolution, weight (Cout, Cin/groups, kh, kw). */
export function conv2d(x: Tensor, w: Tensor, b?: Tensor, opts: Conv2dOptions = {}): Tensor {
  const spec: Conv2dSpec = { stride: pair(opts.stride ?? 1), padding: pair(opts.padding ?? 0), dilation: pair(opts.dilation ?? 1), groups: opts.groups ?? 1 };
  if (x.rank !== 4 || w.rank !== 4) throw new ShapeError('conv2d', `x must be (N, C, H, W) and w (Cout, Cin/groups, kh, kw), got ${fmt(x.shape)} and ${fmt(w.shape)}`);
  if (x.shape[1] !== w.shape[1] * spec.groups) throw new ShapeError('conv2d', `x has ${x.shape[1]} channels but w ${fmt(w.shape)} with groups=${spec.groups} expects ${w.shape[1] * spec.groups}`);
  const out = new Tensor(x.backend.conv2d(x.storage, w.storage, b?.storage, spec), x.backend);
  return record('conv2d', { ...spec, hasBias: !!b }, b ? [x, w, b] : [x, w], out);
}

export function maxPool2d(x: Tensor, kernel: number | [number, number], stride?: number | [number, number], padding: number | [number, number] = 0): Tensor {
  const attrs = { kernel: pair(kernel), stride: pair(stride ?? kernel), padding: pair(padding) };
  const { out, saved } = x.backend.maxPool2d(x.storage, attrs);
  return record('maxPool2d', attrs, [x], new Tensor(out, x.backend), saved);
}

export function avgPool2d(x: Tensor, kernel: number | [number, number], stride?: number | [number, number], padding: number | [number, number] = 0): Tensor {
  const attrs = { kernel: pair(kernel), stride: pair(stride ?? kernel), padding: pair(padding) };
  return record('avgPool2d', attrs, [x], new Tensor(x.backend.avgPool2d(x.storage, attrs), x.backend));
}

/**
 * Resize (N, C, H, W) to `size` (Ho, Wo), or by an integer `scale`: nearest or bilinear, as
 * PyTorch's F.interpolate with align_corners = False. The decoder's upsampling and the
 * colorization display's ab.
 */
export function upsample2d(x: Tensor, opts: { size?: [number, number]; scale?: number; mode?: UpsampleMode }): Tensor {
  if (x.rank !== 4) throw new ShapeError('upsample2d', `x must be (N, C, H, W), got ${fmt(x.shape)}`);
  const { scale } = opts;
  if (!opts.size && !(scale !== undefined && Number.isInteger(scale) && scale >= 1)) throw new ShapeError('upsample2d', `give size [Ho, Wo] or an integer scale ≥ 1, got size ${opts.size} and scale ${scale}`);
  const size: [number, number] = opts.size ?? [x.shape[2] * (scale as number), x.shape[3] * (scale as number)];
  if (!size.every((d) => Number.isInteger(d) && d >= 1)) throw new ShapeError('upsample2d', `size must be two positive integers, got [${size.join(', ')}]`);
  const attrs = { size, mode: opts.mode ?? 'nearest' };
  return record('upsample2d', attrs, [x], new Tensor(x.backend.upsample2d(x.storage, size, attrs.mode), x.backend));
}

/** (N, C, H, W) → (N, C): mean over space. */
export function globalAvgPool2d(x: Tensor): Tensor {
  const [n, c, h, w] = x.shape;
  const pooled = avgPool2d(x, [h, w], [h, w]);
  return reshape(pooled, [n, c]);
}

/** Layer norm over the last axis with weight and bias. */
export function layerNorm(x: Tensor, w: Tensor, b: Tensor, eps = 1e-5): Tensor {
  const d = x.shape[x.rank - 1];
  if (w.size !== d || b.size !== d) throw new ShapeError('layerNorm', `weight ${fmt(w.shape)} and bias ${fmt(b.shape)} must have ${d} elements for x ${fmt(x.shape)}`);
  const { out, saved } = x.backend.layerNorm(x.storage, w.storage, b.storage, eps);
  return record('layerNorm', { eps }, [x, w, b], new Tensor(out, x.backend), saved);
}

/** Weight, bias and running stats of a batch norm hold one value per channel of x (N, C, …). */
function checkNormParams(op: string, x: Tensor, perChannel: Tensor[]): void {
  const c = x.shape[1];
  if (perChannel.some((t) => t.size !== c)) throw new ShapeError(op, `x ${fmt(x.shape)} has ${c} channels; weight, bias and running stats must have ${c}`);
}

/**
 * Batch norm over (N, C[, H, W]); training uses batch stats and updates the running ones in place.
 * relu: max(0, ·) in the same pass (forward and backward), the same as relu(batchNorm(…)).
 */
export function batchNorm(x: Tensor, w: Tensor, b: Tensor, runMean: Tensor, runVar: Tensor, opts: { training: boolean; relu?: boolean; momentum?: number; eps?: number }): Tensor {
  checkNormParams('batchNorm', x, [w, b, runMean, runVar]);
  const eps = opts.eps ?? 1e-5;
  const relu = opts.relu ?? false;
  const { out, saved } = x.backend.batchNorm(x.storage, w.storage, b.storage, runMean.storage, runVar.storage, opts.training, opts.momentum ?? 0.1, eps, relu);
  if (!opts.training) {
    // eval uses running statistics: frozen-encoder evaluation needs no gradient through it
    for (const s of Object.values(saved)) x.backend.release(s);
    return new Tensor(out, x.backend);
  }
  return record('batchNorm', { eps, relu }, [x, w, b], new Tensor(out, x.backend), saved);
}

/**
 * pool(batchNorm(x, …, { relu: true })) in one pass each way, x (N, C, H, W): pool k is
 * maxPool2d(·, k) → (N, C, ⌊H/k⌋, ⌊W/k⌋), 'mean' is globalAvgPool2d → (N, C). The ReLU'd map is
 * never stored; backward recomputes the ReLU mask and each max window's argmax from x. Training
 * and eval as batchNorm (default eval: running statistics, no gradient).
 */
export function batchNormReluPool(x: Tensor, w: Tensor, b: Tensor, runMean: Tensor, runVar: Tensor, pool: number | 'mean', opts: { training?: boolean; momentum?: number; eps?: number } = {}): Tensor {
  const op = 'batchNormReluPool';
  if (x.rank !== 4) throw new ShapeError(op, `x must be (N, C, H, W), got ${fmt(x.shape)}`);
  checkNormParams(op, x, [w, b, runMean, runVar]);
  const k = pool;
  if (k !== 'mean' && !(Number.isInteger(k) && k >= 1 && k <= x.shape[2] && k <= x.shape[3])) throw new ShapeError(op, `pool ${k} must be 'mean' or an integer in [1, min(H, W)] for x ${fmt(x.shape)}`);
  const eps = opts.eps ?? 1e-5;
  const training = opts.training ?? false;
  const { out, saved } = x.backend.batchNormReluPool(x.storage, w.storage, b.storage, runMean.storage, runVar.storage, training, opts.momentum ?? 0.1, eps, pool);
  if (!training) {
    for (const s of Object.values(saved)) x.backend.release(s);
    return new Tensor(out, x.backend);
  }
  return record(op, { eps, pool }, [x, w, b], new Tensor(out, x.backend), saved);
}

/** Inverted dropout with a counter-based mask (regenerated in backward from seed and stream). */
export function dropout(x: Tensor, p: number, opts: { training: boolean; seed: number; stream?: number }): Tensor {
  if (!(p >= 0 && p < 1)) throw new Error(`dropout: p must be in [0, 1), got ${p}`);
  if (!opts.training || p === 0) return reshape(x, x.shape);
  const attrs = { p, seed: opts.seed >>> 0, stream: opts.stream ?? 0 };
  return record('dropout', attrs, [x], new Tensor(x.backend.dropout(x.storage, p, attrs.seed, attrs.stream), x.backend));
}

