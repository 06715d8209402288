export type DType = 'f32' | 'i32' | 'u32';

export type TypedArrayFor<D extends DType> = D extends 'f32' ? Float32Array : D extends 'i32' ? Int32Array : Uint32Array;
export type AnyTypedArray = Float32Array | Int32Array | Uint32Array;

export const BYTES_PER_ELEMENT: Record<DType, number> = { f32: 4, i32: 4, u32: 4 };

export function dtypeOf(a: AnyTypedArray): DType {
  if (a instanceof Float32Array) return 'f32';
  if (a instanceof Int32Array) return 'i32';
  if (a instanceof Uint32Array) return 'u32';
  throw new TypeError(`unsupported typed array ${(a as object).constructor?.name}; use Float32Array, Int32Array or Uint32Array`);
}

export function typedArray<D extends DType>(dtype: D, data: ArrayBuffer, length?: number): TypedArrayFor<D> {
  const n = length ?? data.byteLength / 4;
  switch (dtype) {
    case 'f32': return new Float32Array(data, 0, n) as TypedArrayFor<D>;
    case 'i32': return new Int32Array(data, 0, n) as TypedArrayFor<D>;
    default: return new Uint32Array(data, 0, n) as TypedArrayFor<D>;
  }
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}
