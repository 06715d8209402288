// CPU reference for unary.wgsl, in float64.
import type { UnaryOp } from './unary.js';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

export function unaryRef(op: UnaryOp, x: ArrayLike<number>, alpha = op === 'leaky_relu' ? 0.01 : 1): Float64Array {
  const f: (v: number) => number = {
    neg: (v: number) => -v,
    exp: Math.exp,
    log: Math.log,
    sqrt: Math.sqrt,
    rsqrt: (v: number) => 1 / Math.sqrt(v),
    abs: Math.abs,
    relu: (v: number) => Math.max(v, 0),
    gelu: (v: number) => 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v ** 3))),
    silu: (v: number) => v / (1 + Math.exp(-v)),
    tanh: Math.tanh,
    sigmoid: (v: number) => 1 / (1 + Math.exp(-v)),
    square: (v: number) => v * v,
    reciprocal: (v: number) => 1 / v,
    sin: Math.sin,
    cos: Math.cos,
    sign: Math.sign,
    leaky_relu: (v: number) => (v > 0 ? v : alpha * v),
    scale: (v: number) => alpha * v,
    add_scalar: (v: number) => v + alpha,
    pow: (v: number) => Math.max(v, 0) ** alpha,
    step: (v: number) => (v > 0 ? 1 : 0),
    copy: (v: number) => v,
  }[op];
  return Float64Array.from(x, f);
}
