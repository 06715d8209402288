// Elementwise arithmetic and activations (broadcasting like numpy).
import type { UnaryOp } from '@pretext/kernels';
import { record } from '../autograd.js';
import type { BinaryOp, CompareOp } from '../backend.js';
import { broadcastShapes } from '../shape.js';
import { Tensor } from '../tensor.js';
import { full } from './creation.js';

export type TensorLike = Tensor | number;

export function unaryOp(op: UnaryOp, x: Tensor, alpha?: number): Tensor {
  if (x.dtype !== 'f32') throw new Error(`${op}: needs an f32 tensor, got ${x.dtype}`);
  return record('unary', { op, alpha }, [x], new Tensor(x.backend.unary(op, x.storage, alpha), x.backend));
}

function asTensor(v: TensorLike): Tensor {
  return typeof v === 'number' ? full([], v) : v;
}

export function binaryOp(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  a.sameBackend(op, b);
  if (a.dtype !== 'f32' || b.dtype !== 'f32') throw new Error(`${op}: needs f32 tensors, got ${a.dtype} and ${b.dtype}`);
  broadcastShapes(op, a.shape, b.shape);
  return record('binary', { op }, [a, b], new Tensor(a.backend.binary(op, a.storage, b.storage), a.backend));
}

export function add(a: Tensor, b: TensorLike): Tensor {
  return typeof b === 'number' ? unaryOp('add_scalar', a, b) : binaryOp('add', a, b);
}
export function sub(a: Tensor, b: TensorLike): Tensor {
  return typeof b === 'number' ? unaryOp('add_scalar', a, -b) : binaryOp('sub', a, b);
}
export function mul(a: Tensor, b: TensorLike): Tensor {
  return typeof b === 'number' ? unaryOp('scale', a, b) : binaryOp('mul', a, b);
}
export function div(a: Tensor, b: TensorLike): Tensor {
  return typeof b === 'number' ? unaryOp('scale', a, 1 / b) : binaryOp('div', a, b);
}
export function maximum(a: Tensor, b: TensorLike): Tensor {
  const t = asTensor(b);
  const out = binaryOp('max', a, t);
  if (t !== b) t.dispose();
  return out;
}
export function minimum(a: Tensor, b: TensorLike): Tensor {
  const t = asTensor(b);
  const out = binaryOp('min', a, t);
  if (t !== b) t.dispose();
  return out;
}
/** x^p for a scalar p (x ≥ 0 where p is not an integer). */
export function pow(x: Tensor, p: number): Tensor {
  if (p === 2) return unaryOp('square', x);
  if (p === 1) return unaryOp('copy', x);
  return unaryOp('pow', x, p);
}

/** 1.0 where the comparison holds, else 0.0 (no gradient). */
export function compare(op: CompareOp, a: Tensor, b: TensorLike): Tensor {
  const t = asTensor(b);
  a.sameBackend(op, t);
  broadcastShapes(op, a.shape, t.shape);
  const out = new Tensor(a.backend.compare(op, a.storage, t.storage), a.backend);
  if (t !== b) t.dispose();
  return out;
}

/** cond ? a : b elementwise (cond is 0/1 f32). */
export function where(cond: Tensor, a: Tensor, b: Tensor): Tensor {
  const s = broadcastShapes('where', broadcastShapes('where', cond.shape, a.shape), b.shape);
  void s;
  return record('where', {}, [cond, a, b], new Tensor(a.backend.where(cond.storage, a.storage, b.storage), a.backend));
}

export const neg = (x: Tensor) => unaryOp('neg', x);
export const exp = (x: Tensor) => unaryOp('exp', x);
export const log = (x: Tensor) => unaryOp('log', x);
export const sqrt = (x: Tensor) => unaryOp('sqrt', x);
export const rsqrt = (x: Tensor) => unaryOp('rsqrt', x);
export const abs = (x: Tensor) => unaryOp('abs', x);
export const relu = (x: Tensor) => unaryOp('relu', x);
export const gelu = (x: Tensor) => unaryOp('gelu', x);
export const silu = (x: Tensor) => unaryOp('silu', x);
export const tanh = (x: Tensor) => unaryOp('tanh', x);
export const sigmoid = (x: Tensor) => unaryOp('sigmoid', x);
export const square = (x: Tensor) => unaryOp('square', x);
export const reciprocal = (x: Tensor) => unaryOp('reciprocal', x);
export const leakyRelu = (x: Tensor, slope = 0.01) => unaryOp('leaky_relu', x, slope);
