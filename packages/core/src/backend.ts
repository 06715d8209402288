// The one interface both backends implement: `webgpu` runs the WGSL kernels, `cpu` runs their
// `.ref.ts` references. A storage is a backend's dense row-major array; shapes travel with it.
// Every method is one kernel call; `implements Backend` makes a missing one a compile error.
import type { UnaryOp } from '@pretext/kernels';
import type { Shape } from './shape.js';

export type DType = 'f32' | 'i32';
export type HostArray = Float32Array | Int32Array;

export interface Storage {
  readonly shape: Shape;
  readonly dtype: DType;
}

export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'max' | 'min' | 'pow';
export type CompareOp = 'gt' | 'ge' | 'lt' | 'le' | 'eq';
export type ReduceOp = 'sum' | 'mean' | 'max' | 'min';

export interface MaskSpec<S> {
  /** Additive f32 mask broadcastable to the scores, or boolean (i32 1 = keep) per key. */
  mask?: S;
  maskKind?: 'additive' | 'boolean';
  causal?: boolean;
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
  attention(q: S, k: S, v: S, scale: number, m: MaskSpec<S>): { out: S; lse: S };
  attentionBackward(q: S, k: S, v: S, out: S, lse: S, dout: S, scale: number, m: MaskSpec<S>): { dq: S; dk: S; dv: S };

  crossEntropy(logits: S, targets: S, ignoreIndex: number, smoothing: number): { loss: S; lse: S };
  crossEntropyBackward(logits: S, targets: S, lse: S, dloss: S, ignoreIndex: number, smoothing: number): S;
  infonce(q: S, k: S, pos: S, tau: number, maskSelf: boolean): { loss: S; lse: S; accuracy: S };
  infonceBackward(q: S, k: S, pos: S, lse: S, dloss: S, tau: number, maskSelf: boolean, sameQK: boolean): { dq: S; dk: S };

  conv2d(x: S, w: S, bias: S | undefined, spec: Conv2dSpec): S;
  conv2dBackward(x: S, w: S, dy: S, spec: Conv2dSpec, hasBias: boolean): { dx: S; dw: S; db?: S };
  maxPool2d(x: S, kernel: [number, number], stride: [number, number], padding: [number, number]): { out: S; argmax: S };
  maxPool2dBackward(dy: S, argmax: S, xShape: Shape): S;
  avgPool2d(x: S, kernel: [number, number], stride: [number, number], padding: [number, number]): S;
  avgPool2dBackward(dy: S, xShape: Shape, kernel: [number, number], stride: [number, number], padding: [number, number]): S;

  layerNorm(x: S, w: S, b: S, eps: number): { out: S; mean: S; rstd: S };
  layerNormBackward(x: S, w: S, mean: S, rstd: S, dy: S): { dx: S; dw: S; db: S };
  batchNorm(x: S, w: S, b: S, runMean: S, runVar: S, training: boolean, momentum: number, eps: number): { out: S; mean: S; invstd: S };
  batchNormBackward(x: S, w: S, mean: S, invstd: S, dy: S): { dx: S; dw: S; db: S };

  dropout(x: S, p: number, seed: number, stream: number): S;
}
