// In-place writes into existing tensors (no tape, no gradient): ring buffers, running state.
import { fmt, ShapeError } from '../shape.js';
import type { Tensor } from '../tensor.js';

/** dst[start : start + R] ← src (R rows), in place: dst (N, …row), src (R, …row), 0 ≤ start ≤ N − R. */
export function assignRows(dst: Tensor, start: number, src: Tensor): void {
  dst.sameBackend('assignRows', src);
  const row = dst.shape.slice(1);
  if (src.rank !== dst.rank || src.shape.slice(1).join() !== row.join()) throw new ShapeError('assignRows', `src ${fmt(src.shape)} must be rows of dst ${fmt(dst.shape)}`);
  if (src.dtype !== dst.dtype) throw new ShapeError('assignRows', `src is ${src.dtype}, dst ${dst.dtype}`);
  if (!Number.isInteger(start) || start < 0 || start + src.shape[0] > dst.shape[0]) throw new ShapeError('assignRows', `rows [${start}, ${start + src.shape[0]}) are outside dst's ${dst.shape[0]}`);
  const per = row.reduce((a, b) => a * b, 1);
  dst.backend.copyInto(src.storage, dst.storage, start * per);
}

/**
 * dst[…, start : start + n, …] ← src along `axis`, in place: src has dst's shape except n ≤ dst's
 * size on that axis (a KV cache (B, H, Tmax, d) takes the new keys (B, H, n, d) at position start).
 */
export function assignAt(dst: Tensor, axis: number, start: number, src: Tensor): void {
  dst.sameBackend('assignAt', src);
  if (src.rank !== dst.rank || !(Number.isInteger(axis) && axis >= 0 && axis < dst.rank) || src.shape.some((s, i) => i !== axis && s !== dst.shape[i])) {
    throw new ShapeError('assignAt', `src ${fmt(src.shape)} must match dst ${fmt(dst.shape)} except along axis ${axis}`);
  }
  if (src.dtype !== dst.dtype) throw new ShapeError('assignAt', `src is ${src.dtype}, dst ${dst.dtype}`);
  if (!Number.isInteger(start) || start < 0 || start + src.shape[axis] > dst.shape[axis]) throw new ShapeError('assignAt', `[${start}, ${start + src.shape[axis]}) along axis ${axis} is outside dst's ${dst.shape[axis]}`);
  if (src.size === 0) return;
  dst.backend.copyAlong(src.storage, dst.storage, axis, start);
}

/** dst ← src, in place (same shape and dtype). */
export function assign(dst: Tensor, src: Tensor): void {
  if (src.shape.join() !== dst.shape.join()) throw new ShapeError('assign', `src ${fmt(src.shape)} differs from dst ${fmt(dst.shape)}`);
  assignRows(dst, 0, src);
}
