import type { DType } from './dtype.js';

/** A dense row-major array in a GPU storage buffer: what kernels take and return. */
export interface GpuArray {
  readonly buffer: GPUBuffer;
  readonly dtype: DType;
  readonly shape: readonly number[];
}

export function shapeString(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
