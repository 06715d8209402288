import type { DType } from './dtype.js';

/** A dense row-major array in a GPU storage buffer: what kernels take and return. */
export interface GpuArray {
  readonly buffer: GPUBuffer;
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** Byte offset into `buffer` (a view, e.g. one parameter inside a flat parameter buffer);
   *  a multiple of minStorageBufferOffsetAlignment (256). Absent = 0, whole buffer bound. */
  readonly offset?: number;
}

export function shapeString(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
