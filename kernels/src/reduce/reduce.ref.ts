// CPU references for reduce.wgsl and sumToShape, accumulating in float64.
import { broadcastIndex } from '@pretext/gpu';
import type { ReduceOp } from './reduce.js';

/** x viewed as [outer, R, inner] (axis undefined: all elements) reduced along R. */
export function reduceRef(op: ReduceOp, x: ArrayLike<number>, shape: readonly number[], axis?: number): Float64Array {
  const n = x.length;
  const ax = axis === undefined ? -1 : axis < 0 ? axis + shape.length : axis;
  const [outer, R, inner] = ax < 0 ? [1, n, 1] : [shape.slice(0, ax).reduce((a, b) => a * b, 1), shape[ax], shape.slice(ax + 1).reduce((a, b) => a * b, 1)];
  const out = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < inner; c++) {
      let acc = op === 'sum' || op === 'mean' ? 0 : op === 'max' || op === 'argmax' ? -Infinity : Infinity;
      let best = -1;
      for (let r = 0; r < R; r++) {
        const v = x[(o * R + r) * inner + c];
        if (op === 'sum' || op === 'mean') acc += v;
        else if ((op === 'max' || op === 'argmax' ? v > acc : v < acc) || best < 0) [acc, best] = [v, r];
      }
      out[o * inner + c] = op === 'mean' ? acc / R : op === 'argmax' || op === 'argmin' ? best : acc;
    }
  }
  return out;
}

/** Σ of x over the dims where `shape` (right-aligned) is 1 and x's dim is not. */
export function sumToShapeRef(x: ArrayLike<number>, xShape: readonly number[], shape: readonly number[]): Float64Array {
  const out = new Float64Array(shape.reduce((a, b) => a * b, 1));
  const src = broadcastIndex(shape, xShape);
  for (let i = 0; i < x.length; i++) out[src[i]] += x[i];
  return out;
}
