// Dropout over 4M elements vs tf.dropout. Napkin math per element: read x, write y = 8 B, plus
// half a Threefry-2x32-20 block (~60 integer ops) → 4M: 34 MB and ~250 M integer ops per run;
// on lavapipe the RNG, not the bandwidth, may be the limit.
import { randn, relErr } from '@pretext/gpu/testing';
import type { BenchCase } from '../bench-tf.js';
import { dropout } from './dropout.js';
import { dropoutRef } from './dropout.ref.js';

const size = (quick?: boolean) => (quick ? 1 << 18 : 1 << 22);

export const benches: BenchCase[] = [
  {
    name: 'dropout p=0.1 4M',
    kernel: 'dropout',
    target: '≥1× tfjs',
    async setup(gpu, opts) {
      const n = size(opts?.quick);
      const xHost = randn(n, 1);
      const x = gpu.upload(xHost);
      const out = gpu.empty([n]);
      return {
        run: () => void dropout(gpu, x, 0.1, { seed: 42, out }),
        check: async () => relErr(await gpu.download(out), dropoutRef(xHost, 0.1, 42)),
        tolerance: 1e-6,
        flops: 60 * n,
        bytes: 8 * n,
        dispose: () => {
          gpu.free(x);
          gpu.free(out);
        },
      };
    },
    peer: {
      name: 'tf.dropout',
      async setup(tf, opts) {
        const x = tf.tensor1d(randn(size(opts?.quick), 1));
        return { run: () => tf.dropout(x, 0.1, undefined, 42), dispose: () => x.dispose() };
      },
    },
  },
];
