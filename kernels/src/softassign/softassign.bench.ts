// Soft assignment at colorization's size: the ab of (128, 2, 16, 16) pixels against 313 ab bins,
// 5 nearest with Gaussian weights and the nearest bin's weight, vs tfjs: the distance matrix by
// matMul, tf.topk, softmax. Napkin math: 7 FLOPs per (point, codeword) — 2 subtractions, 2 FMAs,
// the insertion compare — 32 768 × 313 → 72 MFLOP; 60 B per point in and out. Compute-bound:
// compare with the FMA ceiling.
import { randn, randu, relErr } from '@pretext/gpu/testing';
import type { BenchCase } from '../bench-tf.js';
import { softAssign } from './softassign.js';
import { softAssignRef } from './softassign.ref.js';

const Q = 313;
const dims = (quick?: boolean) => ({ n: quick ? 8 : 128, S: 256 });

export const benches: BenchCase[] = [
  {
    name: 'softassign 128x2x16x16 to 313 codewords k5',
    kernel: 'softassign',
    target: '≥1× tfjs',
    async setup(gpu, opts) {
      const { n, S } = dims(opts?.quick);
      const pts = randn(n * 2 * S, 1, 30);
      const code = randu(Q * 2, 2, -110, 110);
      const cw = randu(Q, 3, 0.1, 5);
      const shape = [n, 2, 16, S / 16];
      const x = gpu.upload(pts, shape);
      const c = gpu.upload(code, [Q, 2]);
      const w = gpu.upload(cw, [Q]);
      const out = { index: gpu.empty([n, 5, 16, S / 16], 'i32'), prob: gpu.empty([n, 5, 16, S / 16]), weight: gpu.empty([n, 16, S / 16]) };
      return {
        run: () => void softAssign(gpu, x, c, { k: 5, sigma: 5, codeWeights: w, out }),
        async check() {
          const want = softAssignRef(pts, shape, code, 5, 5, cw);
          return relErr(await gpu.download(out.prob), want.prob);
        },
        tolerance: 1e-5,
        flops: 7 * n * S * Q,
        bytes: 60 * n * S,
        dispose: () => {
          for (const a of [x, c, w, ...Object.values(out)]) gpu.free(a);
        },
      };
    },
    peer: {
      name: 'tfjs: ‖x‖² − 2x·cᵀ + ‖c‖², topk, softmax, gather',
      async setup(tf, opts) {
        const { n, S } = dims(opts?.quick);
        const x = tf.tensor2d(randn(n * 2 * S, 1, 30), [n * S, 2]);
        const c = tf.tensor2d(randu(Q * 2, 2, -110, 110), [Q, 2]);
        const cw = tf.tensor1d(randu(Q, 3, 0.1, 5));
        return {
          run: () => {
            const d = tf.add(tf.sub(tf.sum(tf.square(x), 1, true), tf.mul(tf.matMul(x, c, false, true), 2)), tf.sum(tf.square(c), 1));
            const { values, indices } = tf.topk(tf.neg(d), 5);
            return [tf.softmax(tf.div(values, 50)), indices, tf.gather(cw, tf.slice(indices, [0, 0], [-1, 1]))];
          },
          dispose: () => tf.dispose([x, c, cw]),
        };
      },
    },
  },
];
