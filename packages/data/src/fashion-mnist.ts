// Fashion-MNIST (Xiao et al. 2017) from the Debian package dataset-fashion-mnist:
// 60k train / 10k test, 28×28 grayscale, 10 classes.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FASHION_MNIST_FILES, fashionMnistFromIdx } from './fashion-mnist-idx.js';
import { gunzipIdx } from './idx-file.js';
import type { ImageDataset } from './types.js';

export { FASHION_MNIST_CLASSES } from './labels.js';
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** Images (N, 1, 28, 28) in [0, 1] and labels 0..9. `limit` keeps the first items. */
export function loadFashionMnist(split: 'train' | 'test', opts: { dir?: string; limit?: number } = {}): ImageDataset {
  const dir = opts.dir ?? process.env.PRETEXT_FASHION_MNIST ?? FASHION_MNIST_DIR;
  const [imgFile, lblFile] = FASHION_MNIST_FILES[split];
  const imgPath = join(dir, imgFile);
  const lblPath = join(dir, lblFile);
  for (const p of [imgPath, lblPath]) {
    if (!existsSync(p)) throw new Error(`Fashion-MNIST file ${p} not found. Install it with: bash scripts/setup.sh (or, as root: apt-get install dataset-fashion-mnist)`);
  }
  return fashionMnistFromIdx(split, { bytes: gunzipIdx(readFileSync(imgPath), imgPath), file: imgPath }, { bytes: gunzipIdx(readFileSync(lblPath), lblPath), file: lblPath }, opts.limit);
}
