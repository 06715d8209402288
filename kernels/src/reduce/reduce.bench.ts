// Row reductions of a 4096×4096 matrix vs tfjs. Napkin math: 1 FLOP and 4 bytes read per
// element (the output is 1/4096 of the input): a bandwidth test, 64 MiB per run.
// Column sums (axis 0) take two passes: 64-row chunks → [64, 4096] partials → [4096].
import { randn, relErr } from '@pretext/gpu/testing';
import type { BenchCase } from '../bench-tf.js';
import { type ReduceOp, reduce } from './reduce.js';
import { reduceRef } from './reduce.ref.js';

const side = (q?: boolean) => (q ? 512 : 4096);

function reduceCase(op: ReduceOp, axis: number, peerName: string, peer: (tf: import('../bench-tf.js').Tf, x: import('@tensorflow/tfjs-core').Tensor) => unknown): BenchCase {
  return {
    name: `reduce ${op} 4096x4096 axis ${axis}`,
    kernel: 'reduce',
    target: '≥1× tfjs, ≥50% copy ceiling',
    async setup(gpu, opts) {
      const n = side(opts?.quick);
      const data = randn(n * n, 11);
      const x = gpu.upload(data, [n, n]);
      const out = gpu.empty([n], op.startsWith('arg') ? 'i32' : 'f32');
      return {
        run: () => void reduce(gpu, op, x, { axis, out }),
        check: async () => relErr(await gpu.download(out), reduceRef(op, data, [n, n], axis)),
        tolerance: 1e-5,
        flops: n * n,
        bytes: 4 * n * n,
        dispose: () => [x, out].forEach((a) => gpu.free(a)),
      };
    },
    peer: {
      name: peerName,
      async setup(tf, opts) {
        const n = side(opts?.quick);
        const x = tf.tensor2d(randn(n * n, 11), [n, n]);
        return { run: () => peer(tf, x), dispose: () => x.dispose() };
      },
    },
  };
}

export const benches: BenchCase[] = [
  reduceCase('sum', 1, 'tf.sum', (tf, x) => tf.sum(x, 1)),
  reduceCase('sum', 0, 'tf.sum', (tf, x) => tf.sum(x, 0)),
  reduceCase('max', 1, 'tf.max', (tf, x) => tf.max(x, 1)),
  reduceCase('argmax', 1, 'tf.argMax', (tf, x) => tf.argMax(x, 1)),
];
