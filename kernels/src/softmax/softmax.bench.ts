// Masked softmax, 4096 rows × 4096 keys, vs tfjs-webgpu's tf.softmax after tf.add of the same
// broadcast additive mask. Rows are (B, 64, L) with the mask (B, L).
// Napkin math per logit: forward reads x once and writes y once (8 B; the mask is 1/64 of x),
// ~6 FLOPs (scale, max, exp, sum; exp, multiply); the kernel reads x a second time from cache.
// Backward reads y, dy and writes dx (12 B), 5 FLOPs.
import { randn, randu, relErr } from '@pretext/gpu/testing';
import type { BenchCase, Tf } from '../bench-tf.js';
import { softmax, softmaxBackward } from './softmax.js';
import { softmaxGradRef, softmaxRef } from './softmax.ref.js';

const HEADS = 64;
const dims = (quick?: boolean) => (quick ? { b: 4, len: 1024 } : { b: 64, len: 4096 }); // rows = b·64

function inputs(b: number, len: number) {
  const x = randn(b * HEADS * len, 11, 3);
  // additive padding mask: the last ~20% of each batch row's keys are −∞, the rest small biases
  const mask = Float32Array.from(randu(b * len, 12), (u, i) => ((i % len) > len * (0.7 + 0.2 * u) ? -Infinity : u - 0.5));
  return { x, mask, shape: [b, HEADS, len] };
}

const forward: BenchCase = {
  name: 'softmax masked 4096x4096 forward',
  kernel: 'softmax',
  target: '≥3× tfjs softmax(x + mask)',
  async setup(gpu, opts) {
    const { b, len } = dims(opts?.quick);
    const h = inputs(b, len);
    const x = gpu.upload(h.x, h.shape);
    const mask = gpu.upload(h.mask, [b, len]);
    const out = gpu.empty(h.shape);
    const n = h.x.length;
    return {
      run: () => void softmax(gpu, x, { mask, out }),
      async check() {
        return relErr(await gpu.download(out), softmaxRef(h.x, h.shape, { mask: { data: h.mask, shape: [b, len], additive: true } }));
      },
      tolerance: 2e-5,
      flops: 6 * n,
      bytes: 8 * n + 4 * b * len,
      dispose: () => [x, mask, out].forEach((a) => gpu.free(a)),
    };
  },
  peer: {
    name: 'tf.softmax(tf.add(x, mask (B,1,L)))',
    async setup(tf: Tf, opts) {
      const { b, len } = dims(opts?.quick);
      const h = inputs(b, len);
      const x = tf.tensor3d(h.x, [b, HEADS, len]);
      const mask = tf.tensor3d(h.mask, [b, 1, len]);
      return { run: () => tf.softmax(tf.add(x, mask)), dispose: () => tf.dispose([x, mask]) };
    },
  },
};

const backward: BenchCase = {
  name: 'softmax 4096x4096 backward',
  kernel: 'softmax',
  target: '≥3× tfjs y·(dy − Σ dy·y)',
  async setup(gpu, opts) {
    const { b, len } = dims(opts?.quick);
    const h = inputs(b, len);
    const yHost = Float32Array.from(softmaxRef(h.x, h.shape));
    const dyHost = randn(h.x.length, 13);
    const y = gpu.upload(yHost, h.shape);
    const dy = gpu.upload(dyHost, h.shape);
    const out = gpu.empty(h.shape);
    const n = h.x.length;
    return {
      run: () => void softmaxBackward(gpu, y, dy, { out }),
      async check() {
        return relErr(await gpu.download(out), softmaxGradRef(h.x, h.shape, {}, dyHost));
      },
      tolerance: 5e-5,
      flops: 5 * n,
      bytes: 12 * n,
      dispose: () => [y, dy, out].forEach((a) => gpu.free(a)),
    };
  },
  peer: {
    name: 'tf.mul(y, tf.sub(dy, tf.sum(tf.mul(dy, y), -1, true)))',
    async setup(tf: Tf, opts) {
      const { b, len } = dims(opts?.quick);
      const h = inputs(b, len);
      const y = tf.softmax(tf.tensor3d(h.x, [b, HEADS, len]));
      const dy = tf.tensor3d(randn(h.x.length, 13), [b, HEADS, len]);
      return { run: () => tf.mul(y, tf.sub(dy, tf.sum(tf.mul(dy, y), -1, true))), dispose: () => tf.dispose([y, dy]) };
    },
  },
};

export const benches: BenchCase[] = [forward, backward];
