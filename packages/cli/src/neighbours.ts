// The nearest-neighbour figure: test images and their top-k neighbours among other test images by
// cosine similarity, once by the encoder's features and once by raw pixels — what the encoder
// learned to call "similar", next to what the pixels say — and how often each picks the query's class.
import { type ImageDataset, imageGridPng } from '@pretext/data';
import { join } from 'node:path';
import { writeFileSafe } from './safe-fs.js';

export const NEIGHBOURS_PNG = 'neighbours.png';

export interface NeighboursFigure {
  file: string;
  k: number;
  /** Queries the same-class fractions average over (the figure shows the first few). */
  queries: number;
  /** Images searched. */
  pool: number;
  /** Fraction of the k neighbours that share the query's class, by encoder and by pixels. */
  sameClass: { encoder: number; pixels: number };
}

/** Rows of `v` (n × d) scaled to unit length (zero rows stay zero). */
export function unitRows(v: Float32Array, n: number, d: number): Float32Array {
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += v[i * d + j] ** 2;
    const r = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let j = 0; j < d; j++) out[i * d + j] = v[i * d + j] * r;
  }
  return out;
}

/** Indices of the k rows most cosine-similar to row q (itself excluded), best first; u holds unit rows. */
export function topK(u: Float32Array, n: number, d: number, q: number, k: number): number[] {
  const sims: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    if (i === q) continue;
    let s = 0;
    for (let j = 0; j < d; j++) s += u[q * d + j] * u[i * d + j];
    sims.push([s, i]);
  }
  return sims.sort((a, b) => b[0] - a[0] || a[1] - b[1]).slice(0, k).map(([, i]) => i);
}

/** Queries spread over the classes: the first image of each class in turn, then the next, … */
export function spreadQueries(labels: Int32Array, count: number): number[] {
  const byClass = new Map<number, number[]>();
  labels.forEach((l, i) => byClass.set(l, [...(byClass.get(l) ?? []), i]));
  const out: number[] = [];
  for (let round = 0; out.length < Math.min(count, labels.length); round++) {
    for (const idx of byClass.values()) if (round < idx.length && out.length < count) out.push(idx[round]);
  }
  return out;
}

/**
 * Writes DIR/neighbours.png: for each of `show` queries two rows of 1 + k images (encoder, then
 * pixels). `features` (n × dim) are the encoder's for the first n images of `test`.
 */
export function writeNeighbours(dir: string, test: ImageDataset, features: { values: Float32Array; n: number; dim: number }, opts: { k?: number; show?: number; queries?: number } = {}): NeighboursFigure | undefined {
  const { n, dim } = features;
  const k = Math.min(opts.k ?? 8, n - 1);
  if (k < 1) return undefined;
  const [, c, h, w] = test.shape;
  const per = c * h * w;
  const enc = unitRows(features.values, n, dim);
  const pix = unitRows(test.images.subarray(0, n * per), n, per);
  const labels = test.labels.subarray(0, n);
  const queries = spreadQueries(labels, opts.queries ?? 64);
  const show = Math.min(opts.show ?? 6, queries.length);
  const same = { encoder: 0, pixels: 0 };
  const tiles: number[] = [];
  queries.forEach((q, qi) => {
    const [byEnc, byPix] = [topK(enc, n, dim, q, k), topK(pix, n, per, q, k)];
    same.encoder += byEnc.filter((i) => labels[i] === labels[q]).length / (k * queries.length);
    same.pixels += byPix.filter((i) => labels[i] === labels[q]).length / (k * queries.length);
    if (qi < show) tiles.push(q, ...byEnc, q, ...byPix);
  });
  const grid = new Float32Array(tiles.length * per);
  tiles.forEach((i, t) => grid.set(test.images.subarray(i * per, (i + 1) * per), t * per));
  writeFileSafe(join(dir, NEIGHBOURS_PNG), imageGridPng(grid, [tiles.length, c, h, w], 1 + k, { pad: 2 }));
  return { file: NEIGHBOURS_PNG, k, queries: queries.length, pool: n, sameClass: same };
}
