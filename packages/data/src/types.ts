/** A labelled image set in host memory: images (N, C, H, W) f32 in [0, 1]. */
export interface ImageDataset {
  name: string;
  images: Float32Array;
  shape: [number, number, number, number];
  labels: Int32Array;
  classes: readonly string[];
  /** Row i's natural positive, when the set has one: the same item from another source (emoji: the other vendor's drawing). */
  partner?: Int32Array;
}

/** Items i of an image set as a new set (a split, a subset, a batch). */
export function subset(ds: ImageDataset, idx: ArrayLike<number>, name = ds.name): ImageDataset {
  const [, c, h, w] = ds.shape;
  const per = c * h * w;
  const images = new Float32Array(idx.length * per);
  const labels = new Int32Array(idx.length);
  for (let k = 0; k < idx.length; k++) {
    images.set(ds.images.subarray(idx[k] * per, (idx[k] + 1) * per), k * per);
    labels[k] = ds.labels[idx[k]];
  }
  return { name, images, shape: [idx.length, c, h, w], labels, classes: ds.classes };
}
