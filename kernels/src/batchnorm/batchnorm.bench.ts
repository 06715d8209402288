// batch norm (training) forward and forward+backward on a ConvNet activation (64, 64, 14, 14)
// vs the same composed from tfjs ops (moments over N, H, W; tf.batchNorm) for the forward, same adapter.
// Napkin math, n = N·C·H·W: forward reads x twice (stats: two passes, mostly cache) and once
// more to normalise, writes y: ~16·n bytes; backward reads x, dy twice and writes dx: ~20·n.
// Memory bound: the yardstick is the adapter's copy ceiling (the `ceiling` bench).
import type { Gpu } from '@pretext/gpu';
import { randn, relErr } from '@pretext/gpu/testing';
import type { BenchCase, Tf } from '../bench-tf.js';
import { maxPool2d, maxPool2dBackward } from '../pool/pool.js';
import { batchnorm, batchnormBackward, batchnormReluPool, batchnormReluPoolBackward } from './batchnorm.js';
import { batchnormBackwardRef, batchnormRef, batchnormReluPoolBackwardRef } from './batchnorm.ref.js';

const shapeOf = (quick: boolean) => (quick ? [8, 64, 14, 14] : [64, 64, 14, 14]);

function bench(backward: boolean): BenchCase {
  return {
    name: `batchnorm train ${backward ? 'fwd+bwd' : 'fwd'} 64x64x14x14`,
    kernel: 'batchnorm',
    async setup(gpu: Gpu, opts) {
      const shape = shapeOf(opts?.quick ?? false);
      const [n, c, h, w] = shape;
      const total = n * c * h * w;
      const [xh, gh, bh, dyh] = [randn(total, 1), randn(c, 2), randn(c, 3), randn(total, 4)];
      const [x, g, b, dy] = [gpu.upload(xh, shape), gpu.upload(gh), gpu.upload(bh), gpu.upload(dyh, shape)];
      const [rm, rv] = [gpu.upload(new Float32Array(c)), gpu.upload(new Float32Array(c).fill(1))];
      const outs = { out: gpu.empty(shape), outMean: gpu.empty([c]), outInvstd: gpu.empty([c]) };
      const grads = { out: gpu.empty(shape), outGamma: gpu.empty([c]), outBeta: gpu.empty([c]) };
      const dims: [number, number, number] = [n, c, h * w];
      return {
        run() {
          batchnorm(gpu, x, g, b, rm, rv, { training: true, ...outs });
          if (backward) batchnormBackward(gpu, dy, x, g, outs.outMean, outs.outInvstd, grads);
        },
        async check() {
          const zero = { mean: new Float64Array(c), var: new Float64Array(c) };
          const e = relErr(await gpu.download(outs.out), batchnormRef(xh, dims, gh, bh, zero, { training: true }).y);
          if (!backward) return e;
          return Math.max(e, relErr(await gpu.download(grads.out), batchnormBackwardRef(dyh, xh, dims, gh).dx));
        },
        tolerance: 1e-4,
        flops: (backward ? 17 : 8) * total,
        bytes: (backward ? 36 : 16) * total,
        dispose: () => [x, g, b, dy, rm, rv, ...Object.values(outs), ...Object.values(grads)].forEach((a) => gpu.free(a)),
      };
    },
    // forward only: tfjs-core alone registers no gradients, so tf.grads has nothing to run
    peer: backward ? undefined : {
      name: 'tf.moments, tf.batchNorm (NHWC)',
      async setup(tf: Tf, opts) {
        const [n, c, h, w] = shapeOf(opts?.quick ?? false);
        const x = tf.tensor4d(randn(n * c * h * w, 1), [n, h, w, c]);
        const g = tf.tensor1d(randn(c, 2));
        const b = tf.tensor1d(randn(c, 3));
        const bn = (a: import('@tensorflow/tfjs-core').Tensor, s: import('@tensorflow/tfjs-core').Tensor, o: import('@tensorflow/tfjs-core').Tensor) => {
          const { mean, variance } = tf.moments(a, [0, 1, 2]);
          return tf.batchNorm(a, mean, variance, o as never, s as never, 1e-5);
        };
        return {
          run: () => bn(x, g, b),
          dispose: () => tf.dispose([x, g, b]),
        };
      },
    },
  };
}

/**
 * The ConvNet's first block after its conv, training, forward + backward: batch norm + ReLU + 2×2
 * max pool fused (x read, pooled y written; backward reads x and the pooled dy, writes dx) or as
 * the three kernels (batch norm + ReLU writes the full map, max pool reads it, its backward writes a
 * full dy that batch norm's backward reads). Bytes counted are the fused path's: ~6.5·n·4 (+ stats).
 */
function poolBench(fused: boolean): BenchCase {
  const shapeOf = (quick: boolean) => (quick ? [8, 32, 28, 28] : [64, 32, 28, 28]);
  return {
    name: `batchnorm+relu+maxpool2 train fwd+bwd ${fused ? 'fused' : 'composed'} 64x32x28x28`,
    kernel: 'batchnorm',
    async setup(gpu: Gpu, opts) {
      const shape = shapeOf(opts?.quick ?? false);
      const [n, c, h, w] = shape;
      const total = n * c * h * w;
      const pooled = [n, c, h / 2, w / 2];
      const [xh, gh, bh, dyh] = [randn(total, 1), randn(c, 2), randn(c, 3), randn(total / 4, 4)];
      const [x, g, b, dy] = [gpu.upload(xh, shape), gpu.upload(gh), gpu.upload(bh), gpu.upload(dyh, pooled)];
      const [rm, rv] = [gpu.upload(new Float32Array(c)), gpu.upload(new Float32Array(c).fill(1))];
      const stats = { outMean: gpu.empty([c]), outInvstd: gpu.empty([c]) };
      const grads = { out: gpu.empty(shape), outGamma: gpu.empty([c]), outBeta: gpu.empty([c]) };
      const y = gpu.empty(pooled);
      const composed = fused ? [] : [gpu.empty(shape), gpu.empty(shape), gpu.empty(pooled, 'i32')];
      const pool = { kernel: 2, stride: 2 };
      return {
        run() {
          if (fused) {
            batchnormReluPool(gpu, x, g, b, rm, rv, { pool: 2, training: true, out: y, ...stats });
            batchnormReluPoolBackward(gpu, dy, x, g, b, stats.outMean, stats.outInvstd, { pool: 2, ...grads });
            return;
          }
          const [full, dfull, idx] = composed;
          batchnorm(gpu, x, g, b, rm, rv, { training: true, relu: true, out: full, ...stats });
          maxPool2d(gpu, full, { ...pool, out: y, outIndices: idx });
          maxPool2dBackward(gpu, dy, idx, shape, { ...pool, out: dfull });
          batchnormBackward(gpu, dfull, x, g, stats.outMean, stats.outInvstd, { reluBeta: b, ...grads });
        },
        async check() {
          return relErr(await gpu.download(grads.out), batchnormReluPoolBackwardRef(dyh, xh, [n, c, h, w], gh, bh, 2).dx);
        },
        tolerance: 1e-4,
        flops: 20 * total,
        bytes: 26 * total,
        dispose: () => [x, g, b, dy, rm, rv, y, ...Object.values(stats), ...Object.values(grads), ...composed].forEach((a) => gpu.free(a)),
      };
    },
  };
}

export const benches: BenchCase[] = [bench(false), bench(true), poolBench(true), poolBench(false)];
