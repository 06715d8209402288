import { describe, expect, it } from 'vitest';
import type { GpuArray } from './array.js';
import { checkArray, checkBinding, checkNonEmpty, checkU32, outArray } from './checks.js';
import type { DType } from './dtype.js';
import { KernelInputError } from './errors.js';
import type { Gpu } from './gpu.js';

// the checks read only the binding limit and allocate through empty(): a stand-in is enough
const gpu = {
  limits: { maxStorageBufferBindingSize: 64 },
  empty: (shape: readonly number[], dtype: DType = 'f32') => ({ buffer: {} as GPUBuffer, dtype, shape: [...shape] }),
} as unknown as Gpu;
const arr = (shape: number[], dtype: DType = 'f32'): GpuArray => ({ buffer: {} as GPUBuffer, dtype, shape });

describe('launcher checks', () => {
  it('checkBinding: 4-byte elements within maxStorageBufferBindingSize', () => {
    expect(() => checkBinding(gpu, 'k', 'x', [4, 4])).not.toThrow();
    expect(() => checkBinding(gpu, 'k', 'x', 17)).toThrow(/k: argument 'x': 68 bytes exceed maxStorageBufferBindingSize \(64\)/);
  });

  it('checkArray: dtype, shape when given, binding limit', () => {
    expect(() => checkArray(gpu, 'k', 'x', arr([2, 3]), [2, 3])).not.toThrow();
    expect(() => checkArray(gpu, 'k', 'x', arr([2, 3], 'i32'))).toThrow(/'x': dtype must be f32, got i32/);
    expect(() => checkArray(gpu, 'k', 'x', arr([3, 2]), [2, 3])).toThrow(/'x': must be f32 \[2, 3\], got f32 \[3, 2\]/);
    expect(() => checkArray(gpu, 'k', 'idx', arr([4]), [4], 'i32')).toThrow(/'idx': dtype must be i32, got f32/);
    expect(() => checkArray(gpu, 'k', 'idx', arr([5], 'i32'), [4], 'i32')).toThrow(/'idx': must be i32 \[4\], got i32 \[5\]/);
    expect(() => checkArray(gpu, 'k', 'x', arr([20]))).toThrow(KernelInputError);
  });

  it('outArray: a fresh array, or the given one checked (flat: any shape of as many elements)', () => {
    expect(outArray(gpu, 'k', [2, 3]).shape).toEqual([2, 3]);
    expect(outArray(gpu, 'k', [2], null, { dtype: 'i32' }).dtype).toBe('i32');
    const o = arr([6]);
    expect(outArray(gpu, 'k', [2, 3], o, { flat: true })).toBe(o);
    expect(() => outArray(gpu, 'k', [2, 3], o)).toThrow(/'out': must be f32 \[2, 3\], got f32 \[6\]/);
    expect(() => outArray(gpu, 'k', [2, 3], arr([5]), { flat: true, name: 'dx' })).toThrow(/'dx': must be f32 \[2, 3\] \(or as many elements\), got f32 \[5\]/);
    expect(() => outArray(gpu, 'k', [17])).toThrow(/'out': 68 bytes exceed/);
  });

  it('checkNonEmpty and checkU32', () => {
    expect(() => checkNonEmpty('k', 'x', [2, 0])).toThrow(/'x': empty tensor \[2, 0\]/);
    expect(() => checkU32('k', 'seed', 2 ** 32 - 1)).not.toThrow();
    for (const bad of [-1, 1.5, 2 ** 32, Number.NaN]) expect(() => checkU32('k', 'seed', bad)).toThrow(/'seed': must be an integer in \[0, 2\^32\)/);
  });
});
