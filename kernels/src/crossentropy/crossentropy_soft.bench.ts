// Soft-target, row-weighted cross-entropy forward + backward at colorization's size: logits
// (128, 313, 16, 16) — 313 ab bins per pixel of a 16×16 map — with 5 target bins per pixel,
// vs the same loss composed from tfjs ops on dense targets (classes last, as tfjs's softmax
// needs). Napkin math per logit: the forward reads it (4 B, ~4 FLOPs: max, exp, sum), the backward
// reads it and writes dlogits (8 B, ~3 FLOPs); the K = 5 pairs and the weight add 44 B per row:
// 32 768 rows × 313 → 10.3 M logits, ~124 MB and ~72 MFLOP per run. Compare with the copy ceiling.
import { randn, randu, relErr, rng } from '@pretext/gpu/testing';
import type { BenchCase } from '../bench-tf.js';
import { softCrossEntropy, softCrossEntropyBackward } from './crossentropy_soft.js';
import { softCrossEntropyBackwardRef, softCrossEntropyRef } from './crossentropy_soft.ref.js';

const K = 5;
const dims = (quick?: boolean) => ({ n: quick ? 8 : 128, C: 313, S: 256 });

function inputs(quick?: boolean) {
  const { n, C, S } = dims(quick);
  const r = rng(11);
  const x = randn(n * C * S, 1, 2);
  const index = Int32Array.from({ length: n * K * S }, () => Math.floor(r() * C));
  const prob = new Float32Array(n * K * S).fill(1 / K);
  const weight = randu(n * S, 2, 0.2, 3);
  return { n, C, S, x, index, prob, weight };
}

export const benches: BenchCase[] = [
  {
    name: 'crossentropy soft fwd+bwd 128x313x16x16 K5',
    kernel: 'crossentropy',
    target: '≥1× tfjs, ≥30% copy ceiling',
    async setup(gpu, opts) {
      const { n, C, S, x, index, prob, weight } = inputs(opts?.quick);
      const shape = [n, C, 16, S / 16];
      const tshape = [n, K, 16, S / 16];
      const logits = gpu.upload(x, shape);
      const targets = { index: gpu.upload(index, tshape), prob: gpu.upload(prob, tshape) };
      const w = gpu.upload(weight, [n, 16, S / 16]);
      const dloss = gpu.upload(new Float32Array([1]));
      const rows = n * S;
      const out = { loss: gpu.empty([1]), lse: gpu.empty([rows]), accuracy: gpu.empty([1]) };
      const dx = gpu.empty(shape);
      return {
        run() {
          softCrossEntropy(gpu, logits, targets, { weight: w, out });
          softCrossEntropyBackward(gpu, logits, targets, out, dloss, { weight: w, out: dx });
        },
        async check() {
          const loss = relErr(await gpu.download(out.loss), [softCrossEntropyRef(x, shape, index, prob, { weight }).loss]);
          return Math.max(loss, relErr(await gpu.download(dx), softCrossEntropyBackwardRef(x, shape, index, prob, 1, { weight })));
        },
        tolerance: 1e-5,
        flops: 7 * rows * C,
        bytes: 12 * rows * C + 44 * rows,
        workspaceBytes: 4 * 2 * rows,
        dispose: () => {
          for (const a of [logits, targets.index, targets.prob, w, dloss, dx, ...Object.values(out)]) gpu.free(a);
        },
      };
    },
    peer: {
      name: 'tfjs: transpose, logSoftmax, dense targets; (Σq·softmax − q)·w/rows',
      async setup(tf, opts) {
        const { n, C, S, x, index, prob, weight } = inputs(opts?.quick);
        const dense = new Float32Array(n * S * C);
        for (let b = 0; b < n; b++) for (let k = 0; k < K; k++) for (let s = 0; s < S; s++) dense[(b * S + s) * C + index[(b * K + k) * S + s]] += prob[(b * K + k) * S + s];
        const logits = tf.tensor3d(x, [n, C, S]);
        const q = tf.tensor2d(dense, [n * S, C]);
        const w = tf.tensor2d(weight, [n * S, 1]);
        return {
          run: () => {
            const rowsFirst = tf.reshape(tf.transpose(logits, [0, 2, 1]), [n * S, C]);
            const logp = tf.logSoftmax(rowsFirst);
            const loss = tf.mean(tf.mul(tf.neg(tf.sum(tf.mul(q, logp), 1, true)), w));
            const grad = tf.div(tf.mul(tf.sub(tf.mul(tf.exp(logp), tf.sum(q, 1, true)), q), w), n * S);
            return [loss, tf.transpose(tf.reshape(grad, [n, S, C]), [0, 2, 1])];
          },
          dispose: () => tf.dispose([logits, q, w]),
        };
      },
    },
  },
];
