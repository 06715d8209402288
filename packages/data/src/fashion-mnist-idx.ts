// Fashion-MNIST from its four IDX files' bytes (already decompressed): the same parsing for the
// Node loader (fashion-mnist.ts) and a browser page that fetches the files.
import { parseIdx } from './idx.js';
import { FASHION_MNIST_CLASSES } from './labels.js';
import type { ImageDataset } from './types.js';

/** Image file, label file and item count of each split (the files are gzip'd as distributed). */
export const FASHION_MNIST_FILES = {
  train: ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 60000],
  test: ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz', 10000],
} as const;

/** Images (N, 1, 28, 28) in [0, 1] and labels 0..9 from the split's IDX bytes; `limit` keeps the first items. */
export function fashionMnistFromIdx(split: 'train' | 'test', images: { bytes: Uint8Array; file: string }, labels: { bytes: Uint8Array; file: string }, limit?: number): ImageDataset {
  const count = FASHION_MNIST_FILES[split][2];
  const img = parseIdx(images.bytes, images.file, { ndims: 3, count, dims: [28, 28] });
  const lbl = parseIdx(labels.bytes, labels.file, { ndims: 1, count });
  const n = Math.min(limit ?? count, count);
  const x = new Float32Array(n * 784);
  for (let i = 0; i < n * 784; i++) x[i] = img.data[i] / 255;
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const l = lbl.data[i];
    if (l > 9) throw new Error(`${labels.file}: label ${l} at item ${i} is not a class 0..9`);
    y[i] = l;
  }
  return { name: `fashion-mnist/${split}`, images: x, shape: [n, 1, 28, 28], labels: y, classes: FASHION_MNIST_CLASSES };
}
