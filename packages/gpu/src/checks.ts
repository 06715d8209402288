// The argument checks every launcher makes, in one place: dtype, shape, the storage-binding
// limit, `out` arrays, seeds. Each throws KernelInputError naming the kernel and the argument.
import { type GpuArray, shapeString } from './array.js';
import { BYTES_PER_ELEMENT, type DType, numel } from './dtype.js';
import { check } from './errors.js';
import type { Gpu } from './gpu.js';
import { sameShape } from './shape.js';

/** `size` (a shape, or an element count) of 4-byte elements fits one storage binding. */
export function checkBinding(gpu: Gpu, kernel: string, name: string, size: number | readonly number[]): void {
  const bytes = 4 * (typeof size === 'number' ? size : numel(size));
  const max = gpu.limits.maxStorageBufferBindingSize;
  check(bytes <= max, kernel, name, () => `${bytes} bytes exceed maxStorageBufferBindingSize (${max})`);
}

/** `a` has `dtype` and, when given, `shape`; and it fits one storage binding. */
export function checkArray(gpu: Gpu, kernel: string, name: string, a: GpuArray, shape?: readonly number[], dtype: DType = 'f32'): void {
  check(a.dtype === dtype, kernel, name, () => `dtype must be ${dtype}, got ${a.dtype}`);
  if (shape) check(sameShape(a.shape, shape), kernel, name, () => `must be ${dtype} ${shapeString(shape)}, got ${a.dtype} ${shapeString(a.shape)}`);
  checkBinding(gpu, kernel, name, a.shape);
}

/** A shape with at least one element. */
export function checkNonEmpty(kernel: string, name: string, shape: readonly number[]): void {
  check(numel(shape) > 0, kernel, name, () => `empty tensor ${shapeString(shape)}`);
}

export interface OutOptions {
  /** The argument's name in errors (default 'out'). */
  name?: string;
  dtype?: DType;
  /** Elementwise kernels write `out` flat: any shape of as many elements will do. */
  flat?: boolean;
}

/** `out` when given (of `shape` and dtype), else a fresh pooled array; either way within the binding limit. */
export function outArray(gpu: Gpu, kernel: string, shape: readonly number[], out?: GpuArray | null, opts: OutOptions = {}): GpuArray {
  const { name = 'out', dtype = 'f32', flat = false } = opts;
  checkBinding(gpu, kernel, name, (numel(shape) * BYTES_PER_ELEMENT[dtype]) / 4);
  if (!out) return gpu.empty(shape, dtype, kernel);
  const fits = out.dtype === dtype && (flat ? numel(out.shape) === numel(shape) : sameShape(out.shape, shape));
  check(fits, kernel, name, () => `must be ${dtype} ${shapeString(shape)}${flat ? ' (or as many elements)' : ''}, got ${out.dtype} ${shapeString(out.shape)}`);
  return out;
}

/** An integer in [0, 2^32): a seed or a stream of the counter-based RNG. */
export function checkU32(kernel: string, name: string, v: number): void {
  check(Number.isInteger(v) && v >= 0 && v < 2 ** 32, kernel, name, () => `must be an integer in [0, 2^32), got ${v}`);
}
