// relu on 4 Mi floats vs tf.relu. Napkin math: 1 FLOP and 8 bytes (read x, write y) per
// element, so this is a bandwidth test: expect a fraction of the copy ceiling, not of FMA.
import { randn, relErr } from '@pretext/gpu/testing';
import type { BenchCase } from '../bench-tf.js';
import { unary } from './unary.js';
import { unaryRef } from './unary.ref.js';

const size = (quick?: boolean) => (quick ? 1 << 18 : 1 << 22);

export const benches: BenchCase[] = [
  {
    name: 'unary relu 4M',
    kernel: 'unary',
    target: '≥1× tfjs, ≥50% copy ceiling',
    async setup(gpu, opts) {
      const n = size(opts?.quick);
      const data = randn(n, 7);
      const x = gpu.upload(data);
      const out = gpu.empty([n]);
      return {
        run: () => void unary(gpu, 'relu', x, { out }),
        check: async () => relErr(await gpu.download(out), unaryRef('relu', data)),
        tolerance: 0,
        flops: n,
        bytes: 8 * n,
        dispose: () => {
          gpu.free(x);
          gpu.free(out);
        },
      };
    },
    peer: {
      name: 'tf.relu',
      async setup(tf, opts) {
        const x = tf.tensor1d(randn(size(opts?.quick), 7));
        return { run: () => tf.relu(x), dispose: () => x.dispose() };
      },
    },
  },
];
