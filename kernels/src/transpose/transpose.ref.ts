// CPU reference for transpose: y[c] = x[c permuted back], y.shape[k] = x.shape[perm[k]].
import { contiguousStrides, forEachIndex } from '@pretext/gpu';

export function transposeRef(x: ArrayLike<number>, shape: readonly number[], perm = shape.map((_, k) => shape.length - 1 - k)): { data: Float64Array; shape: number[] } {
  const outShape = perm.map((k) => shape[k]);
  const xs = contiguousStrides(shape);
  const data = new Float64Array(x.length);
  forEachIndex(outShape, (c, i) => (data[i] = x[c.reduce((o, v, k) => o + v * xs[perm[k]], 0)]));
  return { data, shape: outShape };
}
