// Shape ops: reshape/view, permute/transpose, slice, concat/stack, gather, broadcast.
import { record } from '../autograd.js';
import { axisOf, broadcastShapes, fmt, type Shape, ShapeError, sizeOf } from '../shape.js';
import { Tensor } from '../tensor.js';

/** Same data, new shape (one dim may be -1). No copy. */
export function reshape(x: Tensor, shape: Shape): Tensor {
  const known = shape.filter((d) => d !== -1);
  const free = shape.length - known.length;
  if (free > 1) throw new ShapeError('reshape', `only one dim may be -1, got ${fmt(shape)}`);
  const s = free ? shape.map((d) => (d === -1 ? x.size / sizeOf(known) : d)) : [...shape];
  if (sizeOf(s) !== x.size || s.some((d) => !Number.isInteger(d) || d < 0)) throw new ShapeError('reshape', `cannot view ${fmt(x.shape)} (${x.size} values) as ${fmt(shape)}`);
  return record('reshape', { shape: x.shape }, [x], new Tensor(x.backend.view(x.storage, s), x.backend));
}

export const flatten = (x: Tensor, from = 1): Tensor => reshape(x, [...x.shape.slice(0, from), -1]);
export const unsqueeze = (x: Tensor, axis: number): Tensor => {
  const a = axis < 0 ? axis + x.rank + 1 : axis;
  return reshape(x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)]);
};
export const squeeze = (x: Tensor, axis: number): Tensor => {
  const a = axisOf('squeeze', axis, x.rank);
  if (x.shape[a] !== 1) throw new ShapeError('squeeze', `axis ${axis} of ${fmt(x.shape)} is not 1`);
  return reshape(x, x.shape.filter((_, i) => i !== a));
};

export function permute(x: Tensor, dims: readonly number[]): Tensor {
  const d = dims.map((a) => axisOf('permute', a, x.rank));
  if (d.length !== x.rank || new Set(d).size !== d.length) throw new ShapeError('permute', `dims ${fmt(dims)} are not a permutation of ${x.rank} axes`);
  if (d.every((a, i) => a === i)) return reshape(x, x.shape);
  return record('permute', { dims: d }, [x], new Tensor(x.backend.permute(x.storage, d), x.backend));
}

/** Swaps two axes (default: the last two). */
export function transpose(x: Tensor, a = -2, b = -1): Tensor {
  const dims = x.shape.map((_, i) => i);
  const [i, j] = [axisOf('transpose', a, x.rank), axisOf('transpose', b, x.rank)];
  [dims[i], dims[j]] = [dims[j], dims[i]];
  return permute(x, dims);
}

/** x[start:stop] along one axis. */
export function slice(x: Tensor, axis: number, start: number, stop: number): Tensor {
  const a = axisOf('slice', axis, x.rank);
  const n = x.shape[a];
  const lo = start < 0 ? start + n : start;
  const hi = Math.min(stop < 0 ? stop + n : stop, n);
  if (!(lo >= 0 && lo < hi)) throw new ShapeError('slice', `empty or out-of-range slice [${start}, ${stop}) of axis ${axis} (size ${n})`);
  const starts = x.shape.map((_, i) => (i === a ? lo : 0));
  const stops = x.shape.map((d, i) => (i === a ? hi : d));
  return record('slice', { starts, stops }, [x], new Tensor(x.backend.slice(x.storage, starts, stops), x.backend));
}

export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  if (!xs.length) throw new ShapeError('concat', 'needs at least one tensor');
  const a = axisOf('concat', axis, xs[0].rank);
  for (const t of xs) {
    xs[0].sameBackend('concat', t);
    if (t.rank !== xs[0].rank || t.shape.some((d, i) => i !== a && d !== xs[0].shape[i])) throw new ShapeError('concat', `shapes ${xs.map((u) => fmt(u.shape)).join(', ')} differ outside axis ${axis}`);
  }
  if (xs.length === 1) return reshape(xs[0], xs[0].shape);
  return record('concat', { axis: a }, xs, new Tensor(xs[0].backend.concat(xs.map((t) => t.storage), a), xs[0].backend));
}

export const stack = (xs: readonly Tensor[], axis = 0): Tensor => concat(xs.map((t) => unsqueeze(t, axis)), axis);

/** Rows of x picked by i32 indices: out = x[idx] (embedding lookup, index_select on axis 0). */
export function gather(x: Tensor, idx: Tensor): Tensor {
  if (idx.dtype !== 'i32') throw new Error(`gather: indices must be i32, got ${idx.dtype}`);
  x.sameBackend('gather', idx);
  return record('gather', {}, [x, null], new Tensor(x.backend.gather(x.storage, idx.storage), x.backend), { idx: x.backend.view(idx.storage, idx.shape) });
}

export function broadcastTo(x: Tensor, shape: Shape): Tensor {
  const s = broadcastShapes('broadcastTo', x.shape, shape);
  if (s.join() !== shape.join()) throw new ShapeError('broadcastTo', `cannot broadcast ${fmt(x.shape)} to ${fmt(shape)}`);
  if (s.join() === x.shape.join()) return reshape(x, s);
  const zeros = new Tensor(x.backend.fill(shape, 0, 'f32'), x.backend);
  const out = new Tensor(x.backend.binary('add', zeros.storage, x.storage), x.backend);
  zeros.dispose();
  return record('broadcastTo', { shape }, [x], out);
}

/** Sums the broadcast dims away so the result has `shape` (the adjoint of broadcastTo). */
export function sumToShape(x: Tensor, shape: Shape): Tensor {
  if (x.shape.join() === shape.join()) return reshape(x, shape);
  return record('sumToShape', { shape: x.shape }, [x], new Tensor(x.backend.sumToShape(x.storage, shape), x.backend));
}
