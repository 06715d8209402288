// The reference backend: every op runs the kernel's `.ref.ts` (float64 math, rounded to f32 on
// store). The oracle for the webgpu backend's tests, and the fallback with no adapter at all.
import { broadcastShapes } from '@pretext/gpu';
import * as R from '@pretext/kernels';
import type { Backend, DType, HostArray, Storage } from '../backend.js';
import { setBackend } from '../engine.js';
import { type Shape, sizeOf } from '../shape.js';
import { cpuNnOps } from './cpu-nn.js';

export interface CpuStorage extends Storage {
  /** Float32Array (or Float64Array with `float64`) for f32 tensors, Int32Array for i32. */
  data: Float32Array | Float64Array | Int32Array;
}

export interface Makers {
  f32: (data: ArrayLike<number>, shape: Shape) => CpuStorage;
  i32: (data: ArrayLike<number>, shape: Shape) => CpuStorage;
}

/**
 * `float64: true` keeps f32 tensors in float64 end to end: the precision finite-difference
 * gradient checks need.
 */
export function cpuBackend(opts: { float64?: boolean } = {}): Backend<CpuStorage> {
  const F = opts.float64 ? Float64Array : Float32Array;
  const f32 = (data: ArrayLike<number>, shape: Shape): CpuStorage => ({ data: F.from(data), shape: [...shape], dtype: 'f32' });
  const i32 = (data: ArrayLike<number>, shape: Shape): CpuStorage => ({ data: Int32Array.from(data), shape: [...shape], dtype: 'i32' });
  const basic = {
    name: 'cpu' as const,
    upload: (data: HostArray, shape: Shape): CpuStorage => (data instanceof Int32Array ? i32(data, shape) : f32(data, shape)),
    download: async (s: CpuStorage): Promise<HostArray> => (s.data instanceof Int32Array ? s.data.slice() : Float32Array.from(s.data)),
    write: (s: CpuStorage, data: HostArray) => {
      if (data.length !== s.data.length) throw new Error(`write: ${data.length} values for a storage of shape [${s.shape}]`);
      s.data.set(data);
    },
    view: (s: CpuStorage, shape: Shape): CpuStorage => ({ data: s.data, shape: [...shape], dtype: s.dtype }),
    release: (_s: CpuStorage) => {},
    sync: async () => {},

    fill: (shape: Shape, value: number, dtype: DType): CpuStorage => {
      const n = sizeOf(shape);
      return { data: dtype === 'i32' ? new Int32Array(n).fill(value) : new F(n).fill(value), shape: [...shape], dtype };
    },
    randomUniform: (shape: Shape, lo: number, hi: number, seed: number, stream: number) => f32(R.randomRef('uniform', sizeOf(shape), seed, stream, lo, hi), shape),
    randomNormal: (shape: Shape, mean: number, std: number, seed: number, stream: number) => f32(R.randomRef('normal', sizeOf(shape), seed, stream, mean, std), shape),

    unary: (op: R.UnaryOp, x: CpuStorage, alpha?: number) => f32(R.unaryRef(op, x.data, alpha), x.shape),
    binary: (op: R.BinaryOp, a: CpuStorage, b: CpuStorage) => f32(R.binaryRef(op, a.data, a.shape, b.data, b.shape), broadcastShapes(a.shape, b.shape) as number[]),
    compare: (op: R.BinaryOp, a: CpuStorage, b: CpuStorage) => f32(R.binaryRef(op, a.data, a.shape, b.data, b.shape), broadcastShapes(a.shape, b.shape) as number[]),
    where: (c: CpuStorage, a: CpuStorage, b: CpuStorage) => f32(R.whereRef(c.data, c.shape, a.data, a.shape, b.data, b.shape), broadcastShapes(c.shape, a.shape, b.shape) as number[]),
    reduce: (op: 'sum' | 'mean' | 'max' | 'min', x: CpuStorage, axis: number, keepdims: boolean) =>
      f32(R.reduceRef(op, x.data, x.shape, axis), keepdims ? x.shape.map((d, i) => (i === axis ? 1 : d)) : x.shape.filter((_, i) => i !== axis)),
    argmax: (x: CpuStorage, axis: number) => i32(R.reduceRef('argmax', x.data, x.shape, axis), x.shape.filter((_, i) => i !== axis)),
    sumToShape: (x: CpuStorage, shape: Shape) => f32(R.sumToShapeRef(x.data, x.shape, shape), shape),
    permute: (x: CpuStorage, dims: readonly number[]) => {
      const r = R.transposeRef(x.data, x.shape, [...dims]);
      return x.dtype === 'i32' ? i32(r.data, r.shape) : f32(r.data, r.shape);
    },
    slice: (x: CpuStorage, starts: readonly number[], stops: readonly number[]) => {
      const r = R.sliceRef(x.data, x.shape, starts, stops);
      return x.dtype === 'i32' ? i32(r.data, r.shape) : f32(r.data, r.shape);
    },
    concat: (xs: readonly CpuStorage[], axis: number) => {
      const r = R.concatRef(xs, axis);
      return xs[0].dtype === 'i32' ? i32(r.data, r.shape) : f32(r.data, r.shape);
    },
  };
  return { ...basic, ...cpuNnOps({ f32, i32 }) };
}

/** Makes the cpu backend the default. */
export function useCpu(opts: { float64?: boolean } = {}): Backend<CpuStorage> {
  const b = cpuBackend(opts);
  setBackend(b);
  return b;
}
