// Seeded shuffling and batching with the next batch prepared while the GPU works on this one.
import { rng } from '@pretext/random';
import type { ImageDataset } from './types.js';
import { subset } from './types.js';

/** Fisher–Yates permutation of 0..n-1 from a seed (mulberry32). */
export function permutation(n: number, seed: number): Int32Array {
  const r = rng(seed);
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

/** Runs f on a later macrotask: setImmediate in Node, setTimeout in a browser. */
const macrotask: (f: () => void) => void = typeof setImmediate === 'function' ? (f) => setImmediate(f) : (f) => setTimeout(f, 0);

export interface Batch {
  images: Float32Array;
  shape: [number, number, number, number];
  labels: Int32Array;
  /** Indices into the dataset. */
  index: Int32Array;
  /** Where the dataset pairs its items (`partner`): each item's partner, in the batch's order (N, C, H, W). */
  partner?: Float32Array;
}

/**
 * Epoch e visits the items in permutation(n, seed + e), in batches of `batchSize` (the last
 * partial batch is dropped when dropLast, as contrastive losses want full batches).
 */
export class ImageLoader {
  readonly batchesPerEpoch: number;
  constructor(
    readonly data: ImageDataset,
    readonly batchSize: number,
    readonly opts: { seed: number; shuffle?: boolean; dropLast?: boolean },
  ) {
    const n = data.shape[0];
    if (batchSize < 1 || (opts.dropLast !== false && batchSize > n)) throw new Error(`ImageLoader: batch size ${batchSize} is larger than the dataset (${n} items)`);
    this.batchesPerEpoch = opts.dropLast === false ? Math.ceil(n / batchSize) : Math.floor(n / batchSize);
  }

  /** Batch b of epoch e, deterministic. */
  batch(epoch: number, b: number): Batch {
    const n = this.data.shape[0];
    const order = this.opts.shuffle === false ? Int32Array.from({ length: n }, (_, i) => i) : permutation(n, this.opts.seed + epoch);
    const index = order.subarray(b * this.batchSize, Math.min(n, (b + 1) * this.batchSize));
    const s = subset(this.data, index);
    const partner = this.data.partner;
    const batch: Batch = { images: s.images, shape: s.shape, labels: s.labels, index: Int32Array.from(index) };
    if (partner) batch.partner = subset(this.data, Array.from(index, (i) => partner[i])).images;
    return batch;
  }

  /** Iterates an epoch from batch `from`, preparing batch b+1 (on a macrotask) while b is used. */
  async *epoch(epoch: number, from = 0): AsyncGenerator<Batch> {
    let next: Promise<Batch> | null = from < this.batchesPerEpoch ? Promise.resolve(this.batch(epoch, from)) : null;
    for (let b = from; b < this.batchesPerEpoch; b++) {
      const cur = await (next as Promise<Batch>);
      next = b + 1 < this.batchesPerEpoch ? new Promise((res) => macrotask(() => res(this.batch(epoch, b + 1)))) : null;
      yield cur;
    }
  }
}
