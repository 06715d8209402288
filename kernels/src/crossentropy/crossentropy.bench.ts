// Cross-entropy forward + backward over 4096×1000 logits vs tf.losses.softmaxCrossEntropy and
// its gradient composed from tfjs ops. Napkin math per logit: the forward reads it once (4 B, ~5 FLOPs:
// max, exp, sums), the backward reads it and writes dlogits (8 B, ~5 FLOPs) → 12 B and 10 FLOPs,
// 4096×1000 → 49 MB, 41 MFLOP per run: a bandwidth test, compare with the copy ceiling.
import { randn, relErr, rng } from '@pretext/gpu/testing';
import type { BenchCase } from '../bench-tf.js';
import { crossEntropy, crossEntropyBackward } from './crossentropy.js';
import { crossEntropyBackwardRef, crossEntropyRef } from './crossentropy.ref.js';

const shape = (quick?: boolean): [number, number] => (quick ? [512, 1000] : [4096, 1000]);
const targetsFor = (rows: number, C: number) => {
  const r = rng(7);
  return Int32Array.from({ length: rows }, () => Math.floor(r() * C));
};

export const benches: BenchCase[] = [
  {
    name: 'crossentropy fwd+bwd 4096x1000',
    kernel: 'crossentropy',
    target: '≥1× tfjs, ≥30% copy ceiling',
    async setup(gpu, opts) {
      const [rows, C] = shape(opts?.quick);
      const x = randn(rows * C, 1, 2);
      const tHost = targetsFor(rows, C);
      const logits = gpu.upload(x, [rows, C]);
      const targets = gpu.upload(tHost);
      const dloss = gpu.upload(new Float32Array([1]));
      const out = { loss: gpu.empty([1]), lse: gpu.empty([rows]), count: gpu.empty([1]), accuracy: gpu.empty([1]) };
      const dx = gpu.empty([rows, C]);
      return {
        run() {
          crossEntropy(gpu, logits, targets, { out });
          crossEntropyBackward(gpu, logits, targets, out, dloss, { out: dx });
        },
        async check() {
          const loss = relErr(await gpu.download(out.loss), [crossEntropyRef(x, tHost, rows, C).loss]);
          return Math.max(loss, relErr(await gpu.download(dx), crossEntropyBackwardRef(x, tHost, rows, C, 1)));
        },
        tolerance: 1e-5,
        flops: 10 * rows * C,
        bytes: 12 * rows * C,
        workspaceBytes: 4 * (3 * rows + 3),
        dispose: () => {
          for (const a of [logits, targets, dloss, dx, ...Object.values(out)]) gpu.free(a);
        },
      };
    },
    peer: {
      name: 'tf.losses.softmaxCrossEntropy + (softmax − onehot)/rows',
      async setup(tf, opts) {
        const [rows, C] = shape(opts?.quick);
        const logits = tf.tensor(randn(rows * C, 1, 2), [rows, C]);
        const onehot = tf.cast(tf.oneHot(tf.tensor1d(targetsFor(rows, C), 'int32'), C), 'float32');
        // tfjs-core alone registers no gradients, so the backward is composed from ops:
        // d(mean CE)/dlogits = (softmax − onehot) / rows
        return {
          run: () => [tf.losses.softmaxCrossEntropy(onehot, logits), tf.div(tf.sub(tf.softmax(logits), onehot), rows)],
          dispose: () => tf.dispose([logits, onehot]),
        };
      },
    },
  },
];
