// Fashion-MNIST (Xiao et al. 2017) from the Debian package dataset-fashion-mnist:
// 60k train / 10k test, 28×28 grayscale, 10 classes.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseIdx } from './idx.js';
import type { ImageDataset } from './types.js';

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

const FILES = {
  train: ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 60000],
  test: ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz', 10000],
} as const;

/** Images (N, 1, 28, 28) in [0, 1] and labels 0..9. `limit` keeps the first items. */
export function loadFashionMnist(split: 'train' | 'test', opts: { dir?: string; limit?: number } = {}): ImageDataset {
  const dir = opts.dir ?? process.env.PRETEXT_FASHION_MNIST ?? FASHION_MNIST_DIR;
  const [imgFile, lblFile, count] = FILES[split];
  const imgPath = join(dir, imgFile);
  const lblPath = join(dir, lblFile);
  for (const p of [imgPath, lblPath]) {
    if (!existsSync(p)) throw new Error(`Fashion-MNIST file ${p} not found. Install it with: bash scripts/setup.sh (or, as root: apt-get install dataset-fashion-mnist)`);
  }
  const images = parseIdx(readFileSync(imgPath), imgPath, { ndims: 3, count, dims: [28, 28] });
  const labels = parseIdx(readFileSync(lblPath), lblPath, { ndims: 1, count });
  const n = Math.min(opts.limit ?? count, count);
  const x = new Float32Array(n * 784);
  for (let i = 0; i < n * 784; i++) x[i] = images.data[i] / 255;
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const l = labels.data[i];
    if (l > 9) throw new Error(`${lblPath}: label ${l} at item ${i} is not a class 0..9`);
    y[i] = l;
  }
  return { name: `fashion-mnist/${split}`, images: x, shape: [n, 1, 28, 28], labels: y, classes: FASHION_MNIST_CLASSES };
}
