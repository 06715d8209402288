// Fused InfoNCE (contrastive cross-entropy) forward + backward without the m × n logit matrix.
//   loss = w · Σ_i (lse_i − s_{i,pos_i}),  s_ij = q̂_i · k̂_j / τ,  lse_i = log Σ_j exp(s_ij)
// Passes: inv_norm (1/‖row‖) → forward tiles (row LSE, per-row loss and top-1 hit) → reduce
// (scalar loss and accuracy, on the GPU) → backward tiles (dQ by row-owning workgroups, dK by
// key-owning workgroups, or one symmetric pass for Z·Zᵀ) → l2_back (chain through q̂ = q/‖q‖).
// Variants: infonce (general; MoCo's queue as extra negatives), ntXent (SimCLR), moco, clip.
// Tiles: infonce_sg.wgsl on adapters with subgroups when d % 4 == 0 and the
// columns come from one buffer; infonce_fwd/bwd.wgsl (on infonce_tiles.inc.wgsl) otherwise (see useSubgroups).
import { check, checkArray, type Gpu, type GpuArray, grid1d, outArray, params, shapeString, sizeClass, specialize } from '@pretext/gpu';
import bwdSource from './infonce_bwd.wgsl.js';
import fwdSource from './infonce_fwd.wgsl.js';
import rowsSource from './infonce_rows.wgsl.js';
import sgSource from './infonce_sg.wgsl.js';

const KERNEL = 'infonce';
const TILE = 32;
// rows per workgroup of infonce_sg.wgsl (its const TM): the forward's B loads feed 4·TM
// multiply-adds each; the backward keeps TM·DCH vec4 accumulators per lane, so fewer rows
/**
 * Tests set `subgroups: false` to exercise the portable kernels on an adapter that has the fast
 * path; tmFwd / tmBwd are the rows per workgroup of infonce_sg.wgsl (its const TM) in each pass.
 */
export const infonceTuning = { subgroups: true, tmFwd: 24, tmBwd: 16 };

/**
 * infonce_sg.wgsl (one subgroup of SG lanes per workgroup, vec4 rows) when the adapter has
 * subgroups, d % 4 == 0 and the columns come from one buffer; else the portable tiles (infonce_fwd/bwd.wgsl).
 */
function useSubgroups(gpu: Gpu, t: TilePass): boolean {
  return infonceTuning.subgroups && gpu.subgroupWidth() > 0 && t.d % 4 === 0 && (t.cols.b1 === t.cols.b2 || t.cols.n1 === t.cols.n);
}

export type Reduction = 'mean' | 'sum';

export interface InfonceOptions {
  /** Temperature τ > 0. */
  tau: number;
  /** L2-normalise rows of q and k inside the kernel (default true); gradients chain through it. */
  normalize?: boolean;
  /** 'mean' over queries (default) or 'sum'. */
  reduction?: Reduction;
  /** Preallocated outputs (loss, accuracy: f32 [1]; gradients: the shape of their input). */
  out?: Partial<Record<'loss' | 'accuracy' | 'dQ' | 'dK' | 'dZ' | 'dImg' | 'dTxt', GpuArray>>;
}

export interface InfonceResult {
  /** Scalar loss, shape [1], in a GPU buffer. */
  loss: GpuArray;
  /** Fraction of queries whose positive has the row's largest logit, shape [1]. */
  accuracy: GpuArray;
  /** Bytes of GPU workspace the call allocated besides its inputs and outputs. */
  workspaceBytes: number;
}

/** A column side of the logits: rows [0, n1) from b1, [n1, n) from b2 (a MoCo queue). */
interface Cols { b1: GpuArray; b2: GpuArray; n1: number; n: number }

interface TilePass {
  a: GpuArray; m: number; cols: Cols; d: number; pos: GpuArray; aux: GpuArray; invTau: number; maskSelf: boolean;
  /** Of the columns [0, n1) only pos_i takes part in row i (row-owning passes only). */
  ownKeyOnly?: boolean;
  raOff: number; rbOff: number; lrOff: number; lcOff?: number; wr?: number; wc?: number; deltaFromCol?: boolean; statOff?: number;
  /** Rows of A and B are normalised (|s| ≤ 1/τ): lets infonce_sg.wgsl's backward use one exp per logit. */
  normalized?: boolean;
}

function tileParams(t: TilePass): Uint8Array {
  return params()
    .u32(t.m).u32(t.cols.n).u32(t.cols.n1).u32(t.d)
    .f32(t.invTau).u32(t.ownKeyOnly ? 2 : t.maskSelf ? 1 : 0).u32(t.raOff).u32(t.rbOff)
    .u32(t.lrOff).u32(t.lcOff ?? 0).f32(t.wr ?? 0).f32(t.wc ?? 0)
    .u32(t.deltaFromCol ? 1 : 0).u32(t.statOff ?? 0).u32(fastExp(t) ? 1 : 0).bytes;
}

/** With |s|, |lse| ≤ 1/τ + ln n, e^{lse_i}·e^{−lse_j} ≤ e^{2/τ + ln n} and e^{−lse_j} ≥ e^{−1/τ − ln n} stay in f32 range. */
function fastExp(t: TilePass): boolean {
  return !!t.normalized && 2 * t.invTau + Math.log(Math.max(t.m, t.cols.n)) < 80;
}

function rowGrid(gpu: Gpu, rows: number, perGroup: number): [number, number, number] {
  return grid1d(Math.ceil(rows / perGroup), gpu.limits.maxComputeWorkgroupsPerDimension);
}

function forwardPass(gpu: Gpu, t: TilePass, stats: GpuArray): void {
  const { m, d } = t;
  const n = t.cols.n;
  if (useSubgroups(gpu, t)) {
    gpu.dispatch({
      kernel: `${KERNEL}.forward`,
      pipeline: gpu.pipeline(`${KERNEL}.forward.sg`, specialize(sgSource, { TM: infonceTuning.tmFwd, DCH: 1 }), { SG: gpu.subgroupWidth() }, 'forward'),
      params: tileParams(t),
      buffers: [t.a, t.cols.b1, t.pos, t.aux, stats],
      workgroups: rowGrid(gpu, m, infonceTuning.tmFwd),
      flops: 2 * m * n * d,
      bytes: 4 * (m * d + Math.ceil(m / infonceTuning.tmFwd) * n * d + 4 * m),
    });
    return;
  }
  gpu.dispatch({
    kernel: `${KERNEL}.forward`,
    pipeline: gpu.pipeline(`${KERNEL}.forward`, fwdSource),
    params: tileParams(t),
    buffers: [t.a, t.cols.b1, t.cols.b2, t.pos, t.aux, stats],
    workgroups: rowGrid(gpu, m, TILE),
    flops: 2 * m * n * d,
    bytes: 4 * (m * d + Math.ceil(m / TILE) * n * d + 4 * m),
  });
}

/** Output columns per backward workgroup, 32·DCH, within the adapter's workgroup memory. */
function chunks(gpu: Gpu, d: number): number {
  let dch = Math.min(4, Math.ceil(d / TILE));
  while (dch > 1 && 4096 * (3 + dch) > gpu.limits.maxComputeWorkgroupStorageSize) dch--;
  return dch;
}

function backwardPass(gpu: Gpu, t: TilePass, out: GpuArray): void {
  const { m, d } = t;
  const n = t.cols.n;
  if (useSubgroups(gpu, t)) {
    // infonce_sg.wgsl: each lane owns DCH output vec4s per row; grid z for d > 16·SG
    const SG = gpu.subgroupWidth();
    const dch = Math.min(4, Math.ceil(d / (4 * SG)));
    const nz = Math.ceil(d / (4 * SG * dch));
    const [x, y] = rowGrid(gpu, m, infonceTuning.tmBwd);
    gpu.dispatch({
      kernel: `${KERNEL}.backward`,
      pipeline: gpu.pipeline(`${KERNEL}.backward.sg`, specialize(sgSource, { TM: infonceTuning.tmBwd, DCH: dch }), { SG }, 'backward'),
      params: tileParams(t),
      buffers: [t.a, t.cols.b1, t.pos, t.aux, out],
      workgroups: [x, y, nz],
      flops: 2 * m * n * d * nz + 2 * m * n * d,
      bytes: 4 * (2 * m * d + Math.ceil(m / infonceTuning.tmBwd) * n * d * (1 + nz)),
    });
    return;
  }
  const dch = chunks(gpu, d);
  const nz = Math.ceil(d / (TILE * dch));
  const [x, y] = rowGrid(gpu, m, TILE);
  gpu.dispatch({
    kernel: `${KERNEL}.backward`,
    pipeline: gpu.pipeline(`${KERNEL}.backward`, bwdSource, { DCH: dch }),
    params: tileParams(t),
    buffers: [t.a, t.cols.b1, t.cols.b2, t.pos, t.aux, out],
    workgroups: [x, y, nz],
    // the logits are recomputed once per column chunk, then P·B
    flops: 2 * m * n * d * nz + 2 * m * n * d,
    bytes: 4 * (2 * m * d + Math.ceil(m / TILE) * n * d * (1 + nz)),
  });
}

function rowsPass(gpu: Gpu, entry: 'inv_norm' | 'l2_back', x: GpuArray, aux: GpuArray, off: number, flag: boolean, g?: GpuArray): void {
  const [rows, d] = x.shape;
  gpu.dispatch({
    kernel: `${KERNEL}.${entry}`,
    pipeline: gpu.pipeline(`${KERNEL}.${entry}`, rowsSource, {}, entry),
    params: params().u32(rows).u32(d).u32(off).u32(flag ? 1 : 0).f32(0).bytes,
    buffers: g ? [x, aux, g] : [x, aux],
    workgroups: rowGrid(gpu, rows, 64),
    flops: (entry === 'inv_norm' ? 2 : 6) * rows * d,
    bytes: 4 * rows * d * (entry === 'inv_norm' ? 1 : 3),
  });
}

/** opts.out[name] after checking it, or a fresh pool array. */
function output(gpu: Gpu, kernel: string, o: InfonceOptions, name: keyof NonNullable<InfonceOptions['out']>, shape: number[]): GpuArray {
  return outArray(gpu, kernel, shape, o.out?.[name], { name: `out.${name}` });
}

function reducePass(gpu: Gpu, kernel: string, o: InfonceOptions, stats: GpuArray, rows: number, w: number): { loss: GpuArray; accuracy: GpuArray } {
  const loss = output(gpu, kernel, o, 'loss', [1]);
  const accuracy = output(gpu, kernel, o, 'accuracy', [1]);
  gpu.dispatch({
    kernel: `${KERNEL}.reduce`,
    pipeline: gpu.pipeline(`${KERNEL}.reduce`, rowsSource, {}, 'reduce'),
    params: params().u32(rows).u32(0).u32(0).u32(0).f32(w).bytes,
    buffers: [stats, loss, accuracy],
    workgroups: [1],
    flops: 2 * rows,
    bytes: 8 * rows,
  });
  return { loss, accuracy };
}

// ---- validation -------------------------------------------------------------------------------

function checkMatrix(gpu: Gpu, kernel: string, name: string, x: GpuArray, d?: number, allowEmpty = false): [number, number] {
  checkArray(gpu, kernel, name, x);
  check(x.shape.length === 2, kernel, name, () => `must be a matrix [rows, d], got shape ${shapeString(x.shape)}`);
  const [rows, cols] = x.shape as [number, number];
  check(cols > 0 && (rows > 0 || allowEmpty), kernel, name, () => `empty matrix ${shapeString(x.shape)}`);
  if (d !== undefined) check(cols === d, kernel, name, () => `has d = ${cols}, but the queries have d = ${d} (shape ${shapeString(x.shape)})`);
  return [rows, cols];
}

function checkCommon(kernel: string, o: InfonceOptions): { invTau: number; reduction: Reduction; normalize: boolean } {
  check(typeof o?.tau === 'number' && Number.isFinite(o.tau) && o.tau > 0, kernel, 'tau', () => `temperature must be a finite number > 0, got ${o?.tau}`);
  const reduction = o.reduction ?? 'mean';
  check(reduction === 'mean' || reduction === 'sum', kernel, 'reduction', () => `must be 'mean' or 'sum', got '${reduction}'`);
  return { invTau: 1 / o.tau, reduction, normalize: o.normalize ?? true };
}

/** Validates host positives (range, not masked) and uploads them; or checks a GPU i32 [m] array. */
function positives(gpu: Gpu, kernel: string, pos: GpuArray | Int32Array, m: number, n: number, maskSelf: boolean): { pos: GpuArray; owned: boolean } {
  if (pos instanceof Int32Array) {
    check(pos.length === m, kernel, 'pos', () => `needs one positive index per query (${m}), got ${pos.length}`);
    for (let i = 0; i < m; i++) {
      const j = pos[i];
      check(j >= 0 && j < n, kernel, 'pos', () => `pos[${i}] = ${j} is out of range [0, ${n})`);
      check(!(maskSelf && j === i), kernel, 'pos', () => `pos[${i}] = ${i} points at the query itself, which maskSelf excludes`);
    }
    return { pos: gpu.upload(pos, [m], `${kernel}.pos`), owned: true };
  }
  checkArray(gpu, kernel, 'pos', pos, [m], 'i32');
  return { pos, owned: false };
}

const posCache = new WeakMap<Gpu, Map<string, GpuArray>>();

/** pos_i = (i + shift) mod m, uploaded once per (gpu, m, shift). */
function shiftedPositives(gpu: Gpu, m: number, shift: number): GpuArray {
  let byKey = posCache.get(gpu);
  if (!byKey) posCache.set(gpu, (byKey = new Map()));
  const key = `${m}:${shift}`;
  let arr = byKey.get(key);
  if (!arr) {
    arr = gpu.upload(Int32Array.from({ length: m }, (_, i) => (i + shift) % m), [m], `${KERNEL}.pos`);
    byKey.set(key, arr);
  }
  return arr;
}

/** Pool bytes of the workspace: aux floats (inverse norms, LSEs), 2 stats per row, positives. */
function workspace(auxFloats: number, statRows: number, posInts: number): number {
  return sizeClass(4 * auxFloats) + sizeClass(8 * statRows) + (posInts ? sizeClass(4 * posInts) : 0);
}

/** Workspace bytes for the shapes, without allocating: m queries, nk keys (+ queue), variant. */
export function infonceWorkspaceBytes(variant: 'infonce' | 'ntxent' | 'moco' | 'clip', m: number, nk: number, queue = 0): number {
  switch (variant) {
    case 'ntxent': return workspace(2 * m, m, m);
    case 'clip': return workspace(4 * m, 2 * m, m);
    default: return workspace(2 * m + nk + queue, m, m);
  }
}

// ---- general InfoNCE, MoCo ----------------------------------------------------------------------

export interface InfonceGeneralOptions extends InfonceOptions {
  /** Extra negative keys (MoCo's queue, [K, d]): the logits' columns are [k; queue]. */
  queue?: GpuArray;
  /** Exclude s_ii (when q and k hold the same rows). */
  maskSelf?: boolean;
  /**
   * The other queries' keys of k are negatives too (default true: logits [k; queue]). false: of
   * k only query i's positive takes part, the negatives are the queue alone — MoCo's
   * [l_pos | l_neg] logits (He et al. 2020). Needs gradK false and maskSelf false.
   */
  batchNegatives?: boolean;
  /** Compute dQ (default true) and dK for the rows of k (default true; never for the queue). */
  gradQ?: boolean;
  gradK?: boolean;
}

export interface InfonceGeneralResult extends InfonceResult { dQ?: GpuArray; dK?: GpuArray }

/** InfoNCE of queries q [m, d] against keys [k; queue], positive of query i at column pos[i]. */
export function infonce(gpu: Gpu, q: GpuArray, k: GpuArray, pos: GpuArray | Int32Array, opts: InfonceGeneralOptions, kernel = KERNEL): InfonceGeneralResult {
  const { invTau, reduction, normalize } = checkCommon(kernel, opts);
  const [m, d] = checkMatrix(gpu, kernel, 'q', q);
  const [nk] = checkMatrix(gpu, kernel, 'k', k, d);
  const nq = opts.queue ? checkMatrix(gpu, kernel, 'queue', opts.queue, d, true)[0] : 0;
  const n = nk + nq;
  const maskSelf = opts.maskSelf ?? false;
  check(!maskSelf || n >= 2, kernel, 'maskSelf', () => `with a single key and maskSelf no logit is left`);
  const ownKeyOnly = opts.batchNegatives === false;
  check(!ownKeyOnly || (!maskSelf && opts.gradK === false), kernel, 'batchNegatives', () => 'false needs gradK: false and maskSelf: false (the key-owning backward pass has no such mask)');
  const P = positives(gpu, kernel, pos, m, n, maskSelf);
  if (ownKeyOnly && pos instanceof Int32Array) check(pos.every((j) => j < nk), kernel, 'pos', () => `with batchNegatives false every positive must be a row of k (< ${nk})`);

  // aux = [1/‖q_i‖ (m) | 1/‖key_j‖ (n) | lse_i (m)]
  const aux = gpu.empty([2 * m + n], 'f32', `${kernel}.aux`);
  const stats = gpu.empty([2 * m], 'f32', `${kernel}.stats`);
  const cols: Cols = { b1: k, b2: nq ? opts.queue! : k, n1: nk, n };
  rowsPass(gpu, 'inv_norm', q, aux, 0, normalize);
  rowsPass(gpu, 'inv_norm', k, aux, m, normalize);
  if (nq) rowsPass(gpu, 'inv_norm', opts.queue!, aux, m + nk, normalize);
  const base = { d, pos: P.pos, aux, invTau, maskSelf };
  forwardPass(gpu, { ...base, a: q, m, cols, raOff: 0, rbOff: m, lrOff: m + n, ownKeyOnly }, stats);
  const wl = reduction === 'mean' ? 1 / m : 1;
  const res: InfonceGeneralResult = { ...reducePass(gpu, kernel, opts, stats, m, wl), workspaceBytes: workspace(2 * m + n, m, P.owned ? m : 0) };

  if (opts.gradQ ?? true) {
    res.dQ = output(gpu, kernel, opts, 'dQ', [m, d]);
    backwardPass(gpu, { ...base, a: q, m, cols, raOff: 0, rbOff: m, lrOff: m + n, wr: wl, ownKeyOnly }, res.dQ);
    if (normalize) rowsPass(gpu, 'l2_back', q, aux, 0, true, res.dQ);
  }
  if (opts.gradK ?? true) {
    // key-owning pass: rows = keys of k, columns = queries; δ = [pos[query] = key]
    res.dK = output(gpu, kernel, opts, 'dK', [nk, d]);
    const qcols: Cols = { b1: q, b2: q, n1: m, n: m };
    backwardPass(gpu, { ...base, a: k, m: nk, cols: qcols, raOff: m, rbOff: 0, lrOff: 0, lcOff: m + n, wc: wl, deltaFromCol: true }, res.dK);
    if (normalize) rowsPass(gpu, 'l2_back', k, aux, m, true, res.dK);
  }
  gpu.free(aux);
  gpu.free(stats);
  if (P.owned) gpu.free(P.pos);
  return res;
}

export interface MocoOptions extends InfonceOptions {
  /** Also return the gradient for k_pos (default false: MoCo's keys come from the momentum encoder). */
  gradK?: boolean;
  /** The other queries' positive keys as negatives too (default false: [l_pos | queue], He et al.). */
  batchNegatives?: boolean;
}

/**
 * MoCo: query i's positive is kPos[i], its negatives the queue [K, d] — logits [l_pos | q·queueᵀ]
 * (He et al. 2020). batchNegatives: the other queries' keys are negatives too (then K may be 0).
 */
export function moco(gpu: Gpu, q: GpuArray, kPos: GpuArray, queue: GpuArray | undefined, opts: MocoOptions): InfonceGeneralResult {
  const kernel = `${KERNEL}.moco`;
  const [m] = checkMatrix(gpu, kernel, 'q', q);
  check(kPos.shape[0] === m, kernel, 'kPos', () => `needs one positive key per query (${m}), got shape ${shapeString(kPos.shape)}`);
  const batchNegatives = opts.batchNegatives ?? false;
  check(batchNegatives || (queue?.shape[0] ?? 0) > 0, kernel, 'queue', () => 'is empty and batchNegatives is false: no negative is left (fill the queue, or pass batchNegatives: true)');
  return infonce(gpu, q, kPos, shiftedPositives(gpu, m, 0), { ...opts, queue, gradQ: true, gradK: opts.gradK ?? false, batchNegatives }, kernel);
}

// ---- symmetric variants: one backward pass per output --------------------------------------------

/** SimCLR / NT-Xent over z [2N, d]: positive of i is i ± N, s_ii masked, 2N − 2 negatives per row.
 * dZ = (G + Gᵀ)·Ẑ/τ in one row-owning pass (S = Ẑ·Ẑᵀ is symmetric). */
export function ntXent(gpu: Gpu, z: GpuArray, opts: InfonceOptions): InfonceResult & { dZ: GpuArray } {
  const kernel = `${KERNEL}.ntxent`;
  const { invTau, reduction, normalize } = checkCommon(kernel, opts);
  const [m, d] = checkMatrix(gpu, kernel, 'z', z);
  check(m % 2 === 0, kernel, 'z', () => `needs 2N rows (two views of N samples), got ${m}`);
  const pos = shiftedPositives(gpu, m, m / 2);
  const aux = gpu.empty([2 * m], 'f32', `${kernel}.aux`); // [1/‖z_i‖ | lse_i]
  const stats = gpu.empty([2 * m], 'f32', `${kernel}.stats`);
  const cols: Cols = { b1: z, b2: z, n1: m, n: m };
  rowsPass(gpu, 'inv_norm', z, aux, 0, normalize);
  const t: TilePass = { a: z, m, cols, d, pos, aux, invTau, maskSelf: true, raOff: 0, rbOff: 0, lrOff: m, normalized: normalize };
  forwardPass(gpu, t, stats);
  const wl = reduction === 'mean' ? 1 / m : 1;
  const res = reducePass(gpu, kernel, opts, stats, m, wl);
  const dZ = output(gpu, kernel, opts, 'dZ', [m, d]);
  // pos is an involution (pos_j = i ⇔ pos_i = j), so δ from the row serves both terms
  backwardPass(gpu, { ...t, lcOff: m, wr: wl, wc: wl }, dZ);
  if (normalize) rowsPass(gpu, 'l2_back', z, aux, 0, true, dZ);
  gpu.free(aux);
  gpu.free(stats);
  return { ...res, dZ, workspaceBytes: infonceWorkspaceBytes('ntxent', m, m) };
}

/** Symmetric CLIP over matched pairs (img_i, txt_i): loss = (image→text + text→image) / 2. */
export function clip(gpu: Gpu, img: GpuArray, txt: GpuArray, opts: InfonceOptions): InfonceResult & { dImg: GpuArray; dTxt: GpuArray } {
  const kernel = `${KERNEL}.clip`;
  const { invTau, reduction, normalize } = checkCommon(kernel, opts);
  const [m, d] = checkMatrix(gpu, kernel, 'img', img);
  checkMatrix(gpu, kernel, 'txt', txt, d);
  check(txt.shape[0] === m, kernel, 'txt', () => `needs one text per image (${m}), got shape ${shapeString(txt.shape)}`);
  const pos = shiftedPositives(gpu, m, 0);
  // aux = [1/‖img‖ | 1/‖txt‖ | lse of image rows | lse of text rows], m each
  const aux = gpu.empty([4 * m], 'f32', `${kernel}.aux`);
  const stats = gpu.empty([4 * m], 'f32', `${kernel}.stats`);
  rowsPass(gpu, 'inv_norm', img, aux, 0, normalize);
  rowsPass(gpu, 'inv_norm', txt, aux, m, normalize);
  const base = { m, d, pos, aux, invTau, maskSelf: false, normalized: normalize };
  const i2t: TilePass = { ...base, a: img, cols: { b1: txt, b2: txt, n1: m, n: m }, raOff: 0, rbOff: m, lrOff: 2 * m, lcOff: 3 * m };
  const t2i: TilePass = { ...base, a: txt, cols: { b1: img, b2: img, n1: m, n: m }, raOff: m, rbOff: 0, lrOff: 3 * m, lcOff: 2 * m };
  forwardPass(gpu, i2t, stats);
  forwardPass(gpu, { ...t2i, statOff: m }, stats);
  const wl = reduction === 'mean' ? 1 / (2 * m) : 1 / 2;
  const res = reducePass(gpu, kernel, opts, stats, 2 * m, wl);
  const dImg = output(gpu, kernel, opts, 'dImg', [m, d]);
  const dTxt = output(gpu, kernel, opts, 'dTxt', [m, d]);
  // both directions' softmax enter each gradient: P = wl·(G_i2t + G_t2iᵀ)
  backwardPass(gpu, { ...i2t, wr: wl, wc: wl }, dImg);
  backwardPass(gpu, { ...t2i, wr: wl, wc: wl }, dTxt);
  if (normalize) {
    rowsPass(gpu, 'l2_back', img, aux, 0, true, dImg);
    rowsPass(gpu, 'l2_back', txt, aux, m, true, dTxt);
  }
  gpu.free(aux);
  gpu.free(stats);
  return { ...res, dImg, dTxt, workspaceBytes: infonceWorkspaceBytes('clip', m, m) };
}
