// The SimCLR step in tfjs-backend-webgpu ops, the same network and loss as the simclr task's
// (NHWC, tfjs's layout): conv3×3-BN-ReLU ×3 (width w/2w/4w, max-pool after the first two), average
// pool to grid × grid cells, Linear-BN-ReLU-Linear head, NT-Xent composed from
// normalize/matMul/logSoftmax, AdamW.
// Augmentation with tf.image: per-view random resized crop (scale 0.2–1, ratio 3/4–4/3, bilinear,
// horizontal flip as a mirrored box) and per-view brightness and contrast factors (±0.4).

import { randu } from '@pretext/gpu/testing';
import type { Tf } from '../case.js';
import type { Rank, Tensor, Tensor1D, Tensor2D, Tensor4D, Variable } from '@tensorflow/tfjs-core';
import type { StepPeerInstance } from './case.js';
import { gridWindow } from '@pretext/models';
import { ensureTfGradients, tfAdamW } from './tf-grads.js';

const EPS = 1e-5;

/** Host-side random crop boxes [y1, x1, y2, x2] (normalised) for 2N views, as SimCLR samples them. */
export function cropBoxes(views: number, rand: () => number): Float32Array {
  const out = new Float32Array(views * 4);
  for (let i = 0; i < views; i++) {
    const scale = 0.2 + 0.8 * rand();
    const ratio = Math.exp(Math.log(3 / 4) + rand() * Math.log(16 / 9));
    const w = Math.min(1, Math.sqrt(scale * ratio));
    const h = Math.min(1, Math.sqrt(scale / ratio));
    const y = rand() * (1 - h);
    const x = rand() * (1 - w);
    const flip = rand() < 0.5;
    out.set([y, flip ? x + w : x, y + h, flip ? x : x + w], 4 * i);
  }
  return out;
}

/** The options of the simclr task the peer mirrors. */
export interface TfSimclrConfig {
  width: number;
  grid: number;
  projHidden: number;
  projDim: number;
  tau: number;
  jitter: number;
  lr: number;
  weightDecay: number;
}

const IMAGE = 28;

/** The peer's step, on whichever tfjs backend is active (webgpu in the bench; cpu in the test). */
export function tfSimclrStep(tf: Tf, cfg: TfSimclrConfig, n: number, seed = 1) {
  const w = [cfg.width, 2 * cfg.width, 4 * cfg.width];
  const cells = IMAGE >> 2; // the last map's side (28 → 14 → 7)
  const [kGrid, sGrid] = gridWindow(cells, cfg.grid);
  let s = seed;
  const uniform = (shape: number[], fanIn: number) => tf.variable(tf.randomUniform(shape, -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn), 'float32', s++));
  const filters = [1, w[0], w[1]].map((cin, i) => uniform([3, 3, cin, w[i]], 9 * cin)); // (kh, kw, Cin, Cout)
  const gammas = [...w, cfg.projHidden].map((c) => tf.variable(tf.ones([c])));
  const betas = [...w, cfg.projHidden].map((c) => tf.variable(tf.zeros([c])));
  const featureDim = w[2] * cfg.grid * cfg.grid;
  const w1 = uniform([featureDim, cfg.projHidden], featureDim);
  const w2 = uniform([cfg.projHidden, cfg.projDim], cfg.projHidden);
  const b2 = uniform([cfg.projDim], cfg.projHidden);
  const running = [...w, cfg.projHidden].map((c) => ({ mean: tf.variable(tf.zeros([c]), false), variance: tf.variable(tf.ones([c]), false) }));
  const vars: Variable[] = [...filters, ...gammas, ...betas, w1, w2, b2];
  const opt = tfAdamW(tf, vars, cfg.lr, cfg.weightDecay);

  const images = tf.tensor4d(randu(n * IMAGE * IMAGE, seed), [n, IMAGE, IMAGE, 1]); // (N, 28, 28, 1)
  const boxInd = tf.tensor1d(Int32Array.from({ length: 2 * n }, (_, i) => i % n), 'int32');
  const positives = tf.oneHot(tf.tensor1d(Int32Array.from({ length: 2 * n }, (_, i) => (i + n) % (2 * n)), 'int32'), 2 * n);
  const selfMask = tf.mul(tf.eye(2 * n), -1e9);
  const rand = (() => { let k = seed; return () => ((k = (Math.imul(k, 1664525) + 1013904223) >>> 0) / 2 ** 32); })();

  // training-mode batch norm over `axes`; running statistics updated as torch does (momentum 0.1)
  const batchNorm = <R extends Rank>(x: Tensor<R>, i: number, axes: number[]): Tensor<R> => {
    const { mean, variance } = tf.moments(x, axes);
    const r = running[i];
    r.mean.assign(tf.add(tf.mul(r.mean, 0.9), tf.mul(mean, 0.1)) as Tensor1D);
    r.variance.assign(tf.add(tf.mul(r.variance, 0.9), tf.mul(variance, 0.1)) as Tensor1D);
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, EPS))), gammas[i]), betas[i]);
  };

  const augmentViews = (): Tensor4D => {
    const views = 2 * n;
    const boxes = tf.tensor2d(cropBoxes(views, rand), [views, 4]);
    const crops = tf.image.cropAndResize(images, boxes, boxInd, [IMAGE, IMAGE], 'bilinear'); // (2N, 28, 28, 1)
    const jitter = (amount: number) => tf.tensor4d(Float32Array.from({ length: views }, () => (rand() < 0.8 ? 1 + amount * (2 * rand() - 1) : 1)), [views, 1, 1, 1]);
    const bright = tf.mul(crops, jitter(0.8 * cfg.jitter));
    const mean = tf.mean(bright, [1, 2, 3], true);
    return tf.clipByValue(tf.add(tf.mul(tf.sub(bright, mean), jitter(0.8 * cfg.jitter)), mean), 0, 1) as Tensor4D;
  };

  const loss = () => {
    let h: Tensor4D = augmentViews();
    for (let i = 0; i < 3; i++) {
      h = tf.relu(batchNorm(tf.conv2d(h, filters[i] as Tensor4D, 1, 'same'), i, [0, 1, 2]));
      if (i < 2) h = tf.maxPool(h, 2, 2, 'valid');
    }
    // (2N, 7, 7, 4w) → (2N, 4w·grid²)
    const feat = (cfg.grid === 1 ? tf.mean(h, [1, 2]) : tf.reshape(tf.avgPool(h, kGrid, sGrid, 'valid'), [2 * n, featureDim])) as Tensor2D;
    const p = tf.relu(batchNorm(tf.matMul(feat, w1 as Tensor2D), 3, [0]));
    const z = tf.add(tf.matMul(p, w2 as Tensor2D), b2) as Tensor2D; // (2N, d)
    // NT-Xent: cosine logits / τ, self-similarity masked, positive of row i at i ± N
    const zn = tf.div(z, tf.norm(z, 'euclidean', 1, true));
    const logits = tf.add(tf.div(tf.matMul(zn, zn, false, true), cfg.tau), selfMask);
    return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), positives), 1))) as import('@tensorflow/tfjs-core').Scalar;
  };

  return {
    step: () => opt.minimize(loss),
    /** The loss at the current parameters (reads back: tests only). */
    loss: async () => {
      const l = tf.tidy(loss);
      const v = (await l.data())[0];
      l.dispose();
      return v;
    },
    dispose() {
      opt.dispose();
      tf.dispose([...vars, ...running.flatMap((r) => [r.mean, r.variance]), images, boxInd, positives, selfMask] as Tensor[]);
    },
  };
}

export async function tfSimclrPeer(tf: Tf, cfg: TfSimclrConfig, n: number): Promise<StepPeerInstance> {
  await ensureTfGradients(tf);
  const s = tfSimclrStep(tf, cfg, n);
  return { run: () => s.step(), dispose: () => s.dispose() };
}
