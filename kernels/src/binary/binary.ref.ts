// CPU reference for binary.wgsl and where.wgsl, in float64, with numpy broadcasting.
import type { BinaryOp } from './binary.js';
import { broadcastIndex, broadcastShapes } from '@pretext/gpu';

function pow(x: number, y: number): number {
  if (y === 0) return 1;
  return x < 0 && y !== Math.floor(y) ? Number.NaN : x ** y;
}

const F: Record<BinaryOp, (x: number, y: number) => number> = {
  add: (x, y) => x + y,
  sub: (x, y) => x - y,
  mul: (x, y) => x * y,
  div: (x, y) => x / y,
  max: Math.max,
  min: Math.min,
  pow,
  gt: (x, y) => +(x > y),
  ge: (x, y) => +(x >= y),
  lt: (x, y) => +(x < y),
  le: (x, y) => +(x <= y),
  eq: (x, y) => +(x === y),
  gelu_grad: (dy, v) => {
    const c = Math.sqrt(2 / Math.PI);
    const s = 1 / (1 + Math.exp(-2 * c * (v + 0.044715 * v ** 3)));
    return dy * (s + v * s * (1 - s) * 2 * c * (1 + 3 * 0.044715 * v * v));
  },
  relu_grad: (dy, v) => (v > 0 ? dy : 0),
};

function bshape(...shapes: (readonly number[])[]): number[] {
  const s = broadcastShapes(...shapes);
  if (!s) throw new Error(`shapes ${shapes.map((x) => `[${x}]`).join(' and ')} do not broadcast`);
  return s;
}

export function binaryRef(op: BinaryOp, a: ArrayLike<number>, aShape: readonly number[], b: ArrayLike<number>, bShape: readonly number[]): Float64Array {
  const shape = bshape(aShape, bShape);
  const ia = broadcastIndex(aShape, shape);
  const ib = broadcastIndex(bShape, shape);
  const f = F[op];
  return Float64Array.from(ia, (j, i) => f(a[j], b[ib[i]]));
}

export function whereRef(cond: ArrayLike<number>, cShape: readonly number[], a: ArrayLike<number>, aShape: readonly number[], b: ArrayLike<number>, bShape: readonly number[]): Float64Array {
  const shape = bshape(cShape, aShape, bShape);
  const [ic, ia, ib] = [cShape, aShape, bShape].map((s) => broadcastIndex(s, shape));
  return Float64Array.from(ic, (j, i) => (cond[j] !== 0 ? a[ia[i]] : b[ib[i]]));
}
