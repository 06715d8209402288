// The image batches every augmentation launcher takes (augment, geometry, lab); not exported
// from the package.
import { check, checkArray, type Gpu, type GpuArray, shapeString } from '@pretext/gpu';

/** Validates an (N, C, H, W) f32 image batch with C ∈ {1, 3}; returns its dims. */
export function checkImages(gpu: Gpu, kernel: string, x: GpuArray, name = 'images'): [number, number, number, number] {
  checkArray(gpu, kernel, name, x);
  check(x.shape.length === 4, kernel, name, () => `must be (N, C, H, W), got ${shapeString(x.shape)}`);
  const [n, c, h, w] = x.shape;
  check(n > 0 && h > 0 && w > 0, kernel, name, () => `empty batch ${shapeString(x.shape)}`);
  check(c === 1 || c === 3, kernel, name, () => `channel count must be 1 or 3, got ${c} in ${shapeString(x.shape)}`);
  return [n, c, h, w];
}
