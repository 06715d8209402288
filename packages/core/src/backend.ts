// The one interface both backends implement: `webgpu` runs the WGSL kernels, `cpu` runs their
// `.ref.ts` references. A storage is a backend's dense row-major array; shapes travel with it.
// Every method is one kernel call; `implements Backend` makes a missing one a compile error.
import type { Pipeline as AugmentPipeline, JigsawLayout, Segment, UnaryOp, UpsampleMode } from '@pretext/kernels';
import type { Shape } from './shape.js';

export type DType = 'f32' | 'i32';
export type HostArray = Float32Array | Int32Array;

export interface Storage {
  readonly shape: Shape;
  readonly dtype: DType;
}

/** *_grad: an activation's backward in one kernel, op(dy, x) = dy·f'(x) (never recorded: rules run untaped). */
export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'max' | 'min' | 'pow' | 'gelu_grad' | 'relu_grad';
export type CompareOp = 'gt' | 'ge' | 'lt' | 'le' | 'eq';
export type ReduceOp = 'sum' | 'mean' | 'max' | 'min';

export interface MaskSpec<S> {
  /** Additive f32 mask broadcastable to the scores, or boolean (i32 1 = keep) per key. */
  mask?: S;
  maskKind?: 'additive' | 'boolean';
  causal?: boolean;
  /** Causal: key j is hidden from query i when j > i + causalOffset (default 0; a KV cache: the cached length). */
  causalOffset?: number;
}

export type Saved<S> = Record<string, S>;

export interface PoolSpec {
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
}

export interface InfonceSpec<S> {
  tau: number;
  /** L2-normalise rows of q and k inside the kernel (gradients chain through it). */
  normalize: boolean;
  maskSelf: boolean;
  /** false: of k only query i's positive takes part (MoCo's [l_pos | queue]); needs gradK false. */
  batchNegatives: boolean;
  /** Extra negatives (MoCo's queue), no gradient. */
  queue?: S;
  gradQ: boolean;
  gradK: boolean;
}

export interface MlmMaskSpec {
  vocab: number;
  /** Ids below it are never chosen; random replacements come from [special, vocab). */
  special: number;
  maskId: number;
  /** Share of the non-special tokens chosen, and of those replaced by [MASK] and by a random token. */
  rate: number;
  maskShare: number;
  randomShare: number;
  seed: number;
  stream: number;
  ignoreIndex: number;
}

export interface Conv2dSpec {
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
  groups: number;
}

export interface Backend<S extends Storage = Storage> {
  readonly name: 'webgpu' | 'cpu';
  upload(data: HostArray, shape: Shape): S;
  download(s: S): Promise<HostArray>;
  /** Overwrites a storage with host data of the same size (after all queued work). */
  write(s: S, data: HostArray): void;
  /** Same data, new shape (no copy); the storage is shared until both are released. */
  view(s: S, shape: Shape): S;
  release(s: S): void;
  /** Waits for queued work (no-op on cpu). */
  sync(): Promise<void>;

  fill(shape: Shape, value: number, dtype: DType): S;
  randomUniform(shape: Shape, lo: number, hi: number, seed: number, stream: number): S;
  randomNormal(shape: Shape, mean: number, std: number, seed: number, stream: number): S;

  unary(op: UnaryOp, x: S, alpha?: number): S;
  binary(op: BinaryOp, a: S, b: S): S;
  compare(op: CompareOp, a: S, b: S): S;
  where(cond: S, a: S, b: S): S;
  reduce(op: ReduceOp, x: S, axis: number, keepdims: boolean): S;
  argmax(x: S, axis: number): S;
  sumToShape(x: S, shape: Shape): S;
  permute(x: S, dims: readonly number[]): S;
  /** Strided slice: per axis [start, stop) step 1. */
  slice(x: S, starts: readonly number[], stops: readonly number[]): S;
  concat(xs: readonly S[], axis: number): S;
  /** Rows of x (axis 0) picked by i32 indices; out shape [...idx.shape, ...x.shape.slice(1)]. */
  gather(x: S, idx: S): S;
  /** dx[r] = Σ_{i: idx[i] = r} dy[i], dx with `rows` rows. */
  scatterAddRows(dy: S, idx: S, rows: number): S;

  matmul(a: S, b: S, transA: boolean, transB: boolean, bias?: S): S;

  softmax(x: S, scale: number, m: MaskSpec<S>, log: boolean): S;
  softmaxBackward(y: S, dy: S, scale: number, log: boolean): S;

  // Ops whose backward needs state from the forward return it as `saved` (owned by the caller,
  // released after backward) and take it back in their backward.
  attention(q: S, k: S, v: S, scale: number, m: MaskSpec<S>): { out: S; saved: Saved<S> };
  attentionBackward(q: S, k: S, v: S, out: S, dout: S, saved: Saved<S>, scale: number, m: MaskSpec<S>): { dq: S; dk: S; dv: S };
  crossEntropy(logits: S, targets: S, ignoreIndex: number, smoothing: number): { loss: S; accuracy: S; saved: Saved<S> };
  crossEntropyBackward(logits: S, targets: S, dloss: S, saved: Saved<S>, ignoreIndex: number, smoothing: number): S;
  /**
   * Mean over rows of w_r·(−Σ_k q_rk log softmax(x_r)[idx_rk]), logits (N, C, d…) with classes on
   * axis 1, K (index, prob) pairs per row (N, K, d…), weight (N, d…) or null; loss [1], top-1
   * against index 0 [1].
   */
  softCrossEntropy(logits: S, index: S, prob: S, weight: S | null): { loss: S; accuracy: S; saved: Saved<S> };
  softCrossEntropyBackward(logits: S, index: S, prob: S, weight: S | null, dloss: S, saved: Saved<S>): S;
  /** Each point of (N, D, d…) to its k nearest codewords of (Q, D): index and Gaussian prob (N, k, d…), the nearest's code weight (N, d…). */
  softAssign(points: S, codebook: S, k: number, sigma: number, codeWeights: S | null): { index: S; prob: S; weight?: S };
  /**
   * Fused InfoNCE: mean over queries of −log softmax(q̂·k̂ᵀ/τ)[pos] with keys [k; queue], or NT-Xent
   * over z = q = k (positive of row i is i ± M/2, self masked) when pos is null. Loss [1], top-1
   * accuracy [1], and — computed in the same call, for dloss = 1 — the gradients asked for.
   */
  infonce(q: S, k: S, pos: S | null, o: InfonceSpec<S>): { loss: S; accuracy: S; dq?: S; dk?: S };

  conv2d(x: S, w: S, bias: S | undefined, spec: Conv2dSpec): S;
  /** dx only when `needDx` (a network's input needs none). */
  conv2dBackward(x: S, w: S, dy: S, spec: Conv2dSpec, hasBias: boolean, needDx: boolean): { dx?: S; dw: S; db?: S };
  maxPool2d(x: S, p: PoolSpec): { out: S; saved: Saved<S> };
  maxPool2dBackward(dy: S, xShape: Shape, saved: Saved<S>, p: PoolSpec): S;
  avgPool2d(x: S, p: PoolSpec): S;
  avgPool2dBackward(dy: S, xShape: Shape, p: PoolSpec): S;
  /** (N, C, H, W) → (N, C, Ho, Wo), PyTorch's interpolate with align_corners = False. */
  upsample2d(x: S, size: [number, number], mode: UpsampleMode): S;
  upsample2dBackward(dy: S, xShape: Shape, mode: UpsampleMode): S;

  layerNorm(x: S, w: S, b: S, eps: number): { out: S; saved: Saved<S> };
  layerNormBackward(x: S, w: S, dy: S, saved: Saved<S>): { dx: S; dw: S; db: S };
  /** Training: batch statistics, running stats updated in place. Eval: running statistics. */
  /** relu: max(0, ·) fused into the same pass. */
  batchNorm(x: S, w: S, b: S, runMean: S, runVar: S, training: boolean, momentum: number, eps: number, relu: boolean): { out: S; saved: Saved<S> };
  /** reluBias: the forward's b when it fused a relu (dy is masked where it clamped). */
  batchNormBackward(x: S, w: S, dy: S, saved: Saved<S>, reluBias: S | null): { dx: S; dw: S; db: S };
  /** pool(relu(batch norm(x))), x (N, C, H, W): pool k = k×k max pool of stride k, 'mean' = each plane's mean → (N, C); training as batchNorm. */
  batchNormReluPool(x: S, w: S, b: S, runMean: S, runVar: S, training: boolean, momentum: number, eps: number, pool: number | 'mean'): { out: S; saved: Saved<S> };
  /** Training-mode backward from the pooled gradient dy. */
  batchNormReluPoolBackward(x: S, w: S, b: S, dy: S, saved: Saved<S>, pool: number | 'mean'): { dx: S; dw: S; db: S };

  dropout(x: S, p: number, seed: number, stream: number): S;
  /** BERT's masked-LM corruption of token ids (B, T) i32: corrupted ids (B, T) and targets (B·T), ignoreIndex where not chosen. */
  mlmMask(ids: S, spec: MlmMaskSpec): { inputs: S; targets: S };
  /** Per-sample augmentation of images (N, C, H, W) by a pipeline, reproducible from the seed. */
  /** `views` augmented copies, stacked view-major: row v·N + n is view v of image n. */
  augment(images: S, pipeline: AugmentPipeline, seed: number, outSize: [number, number], views: number): S;
  // The geometric pretext views (no gradient), per-sample choices drawn from the seed as augment's.
  /** Square images rotated by labels[n]·90° counter-clockwise; labels drawn unless given. */
  rotate90(images: S, seed: number, labels: Int32Array | undefined): { images: S; labels: S };
  /** Jigsaw tiles (N, g², C, size, size), slot t of sample n = cell permutations[labels[n]][t]. */
  jigsaw(images: S, layout: JigsawLayout, permutations: Int32Array, seed: number): { tiles: S; labels: S };
  /** Context prediction pairs (N, 2, C, size, size) = (centre, neighbour) and the neighbour's place 0..7. */
  contextPatches(images: S, size: number, gap: number, jitter: number, seed: number): { patches: S; labels: S };
  /** sRGB in [0, 1] ↔ CIELAB (L ∈ [0, 100], a, b) of (N, 3, H, W) images, D65. */
  lab(images: S, toLab: boolean): S;

  // Optimizers work on ONE flat buffer holding every parameter (see optim/arena.ts).
  /** A view of `shape` at element `offset` (a multiple of 64) of a flat storage. */
  viewAt(flat: S, offset: number, shape: Shape): S;
  /** dst[offset + i] ← src[i] for every element of src (offset in elements, default 0). */
  copyInto(src: S, dst: S, offset?: number): void;
  /** dst[…, start : start + n, …] ← src along `axis` (src has dst's shape but n on that axis), in place. */
  copyAlong(src: S, dst: S, axis: number, start: number): void;
  /** The segments of a flat buffer of n elements, prepared once for optimizerStep; the caller owns it (dispose). */
  paramLayout(n: number, segments: readonly Segment[]): ParamLayout;
  optimizerStep(spec: OptimizerSpec, w: S, g: S, state: readonly S[], layout: ParamLayout): void;
  /** √Σg² → [1]. */
  globalNorm(g: S): S;
  /** g ← g·min(1, max/(norm + 1e-6)), norm from globalNorm (no readback). */
  clipByNorm(g: S, norm: S, maxNorm: number): void;
  /** target ← m·target + (1 − m)·source. */
  ema(target: S, source: S, m: number): void;
}

export type { Pipeline as AugmentPipeline, Segment, UpsampleMode } from '@pretext/kernels';

/** Per-segment decay, lr and LARS flags of one flat parameter buffer (webgpu: two small GPU tables). */
export interface ParamLayout {
  readonly n: number;
  readonly segments: readonly Required<Segment>[];
  dispose(): void;
}

export type OptimizerSpec =
  | { kind: 'sgd'; lr: number; momentum: number; weightDecay: number; nesterov: boolean }
  | { kind: 'adam'; lr: number; step: number; beta1: number; beta2: number; eps: number; weightDecay: number; decoupled: boolean }
  | { kind: 'lars'; lr: number; momentum: number; weightDecay: number; eta: number; nesterov: boolean };

/** State buffers each optimizer keeps, as many flat buffers as the parameters. */
export const OPTIMIZER_STATE: Record<OptimizerSpec['kind'], number> = { sgd: 1, adam: 2, lars: 1 };
