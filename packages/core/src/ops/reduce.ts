// Reductions along one axis, several axes, or everything.
import { record } from '../autograd.js';
import { axisOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import { reshape } from './shape.js';

type ReduceName = 'sum' | 'mean' | 'max' | 'min';

function reduceOp(op: ReduceName, x: Tensor, axis?: number | readonly number[], keepdims = false): Tensor {
  if (axis === undefined) {
    const flat = reshape(x, [x.size]);
    const r = reduceOp(op, flat, 0, false);
    return keepdims ? reshape(r, x.shape.map(() => 1)) : reshape(r, []);
  }
  const axes = (typeof axis === 'number' ? [axis] : [...axis]).map((a) => axisOf(op, a, x.rank)).sort((a, b) => b - a);
  let t = x;
  for (const a of axes) {
    const next = record('reduce', { op, axis: a, keepdims: true }, [t], new Tensor(t.backend.reduce(op, t.storage, a, true), t.backend));
    t = next;
  }
  return keepdims ? t : reshape(t, x.shape.filter((_, i) => !axes.includes(i)));
}

export const sum = (x: Tensor, axis?: number | readonly number[], keepdims = false) => reduceOp('sum', x, axis, keepdims);
export const mean = (x: Tensor, axis?: number | readonly number[], keepdims = false) => reduceOp('mean', x, axis, keepdims);
export const max = (x: Tensor, axis?: number | readonly number[], keepdims = false) => reduceOp('max', x, axis, keepdims);
export const min = (x: Tensor, axis?: number | readonly number[], keepdims = false) => reduceOp('min', x, axis, keepdims);

/** Index of the largest value along an axis (i32, no gradient). */
export function argmax(x: Tensor, axis = -1): Tensor {
  return new Tensor(x.backend.argmax(x.storage, axisOf('argmax', axis, x.rank)), x.backend);
}
