// layer norm forward and forward+backward vs the same composed from tfjs ops (moments, rsqrt,
// mul, add) for the forward, same adapter.
// Napkin math, x (R, D): forward reads x and writes y: 8·R·D bytes (+ mean, rstd); backward
// reads x and dy (twice: dx pass and column-sum pass) and writes dx: 20·R·D bytes. Memory
// bound: the yardstick is the adapter's copy ceiling (the `ceiling` bench).
import type { Gpu } from '@pretext/gpu';
import { randn, relErr } from '@pretext/gpu/testing';
import type { BenchCase, Tf } from '../bench-tf.js';
import { layernorm, layernormBackward } from './layernorm.js';
import { layernormBackwardRef, layernormRef } from './layernorm.ref.js';

const dims = (quick: boolean): [number, number] => (quick ? [512, 256] : [8192, 256]);

function bench(backward: boolean): BenchCase {
  return {
    name: `layernorm ${backward ? 'fwd+bwd' : 'fwd'} 8192x256`,
    kernel: 'layernorm',
    async setup(gpu: Gpu, opts) {
      const [r, d] = dims(opts?.quick ?? false);
      const [xh, wh, bh, dyh] = [randn(r * d, 1), randn(d, 2), randn(d, 3), randn(r * d, 4)];
      const [x, w, b, dy] = [gpu.upload(xh, [r, d]), gpu.upload(wh), gpu.upload(bh), gpu.upload(dyh, [r, d])];
      const outs = { out: gpu.empty([r, d]), outMean: gpu.empty([r]), outRstd: gpu.empty([r]) };
      const grads = { out: gpu.empty([r, d]), outWeight: gpu.empty([d]), outBias: gpu.empty([d]) };
      return {
        run() {
          layernorm(gpu, x, w, b, outs);
          if (backward) layernormBackward(gpu, dy, x, w, outs.outMean, outs.outRstd, grads);
        },
        async check() {
          const e = relErr(await gpu.download(outs.out), layernormRef(xh, wh, bh, d).y);
          if (!backward) return e;
          const ref = layernormBackwardRef(dyh, xh, wh, d);
          return Math.max(e, relErr(await gpu.download(grads.out), ref.dx), relErr(await gpu.download(grads.outWeight), ref.dweight));
        },
        tolerance: 1e-4,
        flops: (backward ? 25 : 8) * r * d,
        bytes: (backward ? 28 : 8) * r * d,
        dispose: () => [x, w, b, dy, ...Object.values(outs), ...Object.values(grads)].forEach((a) => gpu.free(a)),
      };
    },
    // forward only: tfjs-core alone registers no gradients, so tf.grads has nothing to run
    peer: backward ? undefined : {
      name: 'tf.moments, rsqrt, mul, add',
      async setup(tf: Tf, opts) {
        const [r, d] = dims(opts?.quick ?? false);
        const x = tf.tensor2d(randn(r * d, 1), [r, d]);
        const w = tf.tensor1d(randn(d, 2));
        const b = tf.tensor1d(randn(d, 3));
        const ln = (a: import('@tensorflow/tfjs-core').Tensor, g: import('@tensorflow/tfjs-core').Tensor, c: import('@tensorflow/tfjs-core').Tensor) => {
          const { mean, variance } = tf.moments(a, -1, true);
          return tf.add(tf.mul(tf.mul(tf.sub(a, mean), tf.rsqrt(tf.add(variance, 1e-5))), g), c);
        };
        return {
          run: () => ln(x, w, b),
          dispose: () => tf.dispose([x, w, b]),
        };
      },
    },
  };
}

export const benches: BenchCase[] = [bench(false), bench(true)];
