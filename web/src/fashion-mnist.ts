// Fashion-MNIST in the browser: the dev server serves the Debian package's .gz files under
// /data/fashion-mnist/ (vite.config.ts); the page gunzips them with DecompressionStream and
// parses them with @pretext/data's fashionMnistFromIdx, the same code as Node's loader.
import { FASHION_MNIST_FILES, fashionMnistFromIdx, type ImageDataset } from '@pretext/data';

async function gunzipped(file: string): Promise<Uint8Array> {
  const url = `/data/fashion-mnist/${file}`;
  const res = await fetch(url);
  if (!res.ok || !res.body) throw new Error(`${url}: HTTP ${res.status} (is dataset-fashion-mnist installed? bash scripts/setup.sh)`);
  return new Uint8Array(await new Response(res.body.pipeThrough(new DecompressionStream('gzip'))).arrayBuffer());
}

export async function fetchFashionMnist(split: 'train' | 'test', limit: number): Promise<ImageDataset> {
  const [images, labels] = FASHION_MNIST_FILES[split];
  const [x, y] = await Promise.all([gunzipped(images), gunzipped(labels)]);
  return fashionMnistFromIdx(split, { bytes: x, file: images }, { bytes: y, file: labels }, limit);
}
