// Creating tensors: from host data, constants, seeded random numbers, ranges.
import type { DType, HostArray } from '../backend.js';
import { getBackend } from '../engine.js';
import { fmt, type Shape, sizeOf } from '../shape.js';
import { Tensor } from '../tensor.js';

export interface CreateOptions {
  requiresGrad?: boolean;
  dtype?: DType;
  name?: string;
}

/** A tensor from host data; shape defaults to [data.length]. */
export function tensor(data: HostArray | readonly number[], shape?: Shape, opts: CreateOptions = {}): Tensor {
  const dtype = opts.dtype ?? (data instanceof Int32Array ? 'i32' : 'f32');
  const host = dtype === 'i32' ? (data instanceof Int32Array ? data : Int32Array.from(data as ArrayLike<number>)) : data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>);
  const s = shape ?? [host.length];
  if (sizeOf(s) !== host.length) throw new Error(`tensor: shape ${fmt(s)} holds ${sizeOf(s)} values, data has ${host.length}`);
  if (s.some((d) => !Number.isInteger(d) || d < 0)) throw new Error(`tensor: bad shape ${fmt(s)}`);
  const b = getBackend();
  const t = new Tensor(b.upload(host, s), b, opts.requiresGrad ?? false);
  if (opts.name) t.name = opts.name;
  return t;
}

export function full(shape: Shape, value: number, opts: CreateOptions = {}): Tensor {
  const b = getBackend();
  const t = new Tensor(b.fill(shape, value, opts.dtype ?? 'f32'), b, opts.requiresGrad ?? false);
  if (opts.name) t.name = opts.name;
  return t;
}

export const zeros = (shape: Shape, opts?: CreateOptions): Tensor => full(shape, 0, opts);
export const ones = (shape: Shape, opts?: CreateOptions): Tensor => full(shape, 1, opts);

export interface RandomOptions extends CreateOptions {
  seed: number;
  /** Independent draws under one seed. */
  stream?: number;
}

/** N(mean, std²), seeded and reproducible on every backend (counter-based RNG). */
export function randn(shape: Shape, opts: RandomOptions & { mean?: number; std?: number }): Tensor {
  const b = getBackend();
  const t = new Tensor(b.randomNormal(shape, opts.mean ?? 0, opts.std ?? 1, opts.seed >>> 0, opts.stream ?? 0), b, opts.requiresGrad ?? false);
  if (opts.name) t.name = opts.name;
  return t;
}

/** U(lo, hi), seeded. */
export function rand(shape: Shape, opts: RandomOptions & { lo?: number; hi?: number }): Tensor {
  const b = getBackend();
  const t = new Tensor(b.randomUniform(shape, opts.lo ?? 0, opts.hi ?? 1, opts.seed >>> 0, opts.stream ?? 0), b, opts.requiresGrad ?? false);
  if (opts.name) t.name = opts.name;
  return t;
}

/** [start, start + step, …) below stop. */
export function arange(start: number, stop?: number, step = 1, opts: CreateOptions = {}): Tensor {
  const [lo, hi] = stop === undefined ? [0, start] : [start, stop];
  const n = Math.max(0, Math.ceil((hi - lo) / step));
  const dtype = opts.dtype ?? 'f32';
  const host = dtype === 'i32' ? new Int32Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) host[i] = lo + i * step;
  return tensor(host, [n], opts);
}
