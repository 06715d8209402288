// Every augmentation op at SimCLR's strengths (strongPipeline), two views per image, vs the same
// pipeline composed from tf.image and arithmetic ops on tfjs-webgpu. Throughput = 2N images per run ÷ time.
// Napkin math per output pixel (C channels): bilinear crop 4 reads + 3 lerps per channel, jitter
// ≈ 60 FLOPs (brightness, contrast vs the pre-pass mean, saturation, HSV round trip), blur K taps
// per axis (exp + fma + add each). Bytes: the fused pass reads ~4 source texels and writes 1 per
// channel; each blur pass reads and writes one image; the pre-pass re-reads the crop.
// Per-sample parameters are drawn on the CPU for both sides (outside the GPU time).
import { randu, relErr } from '@pretext/gpu/testing';
import type { BenchCase, Tf } from '../bench-tf.js';
import { augment } from './augment.js';
import { augmentRef } from './augment.ref.js';
import { blurTaps, drawParams, SLOTS } from './pipeline.js';
import { strongPipeline } from './pipelines.test-util.js';

type T = import('@tensorflow/tfjs-core').Tensor;
type T4 = import('@tensorflow/tfjs-core').Tensor4D;

const PIPELINE = strongPipeline();
const BLUR = PIPELINE.blur ?? { p: 0, sigma: [1, 1] as const };
const SEED = 1234;

function shapeOf(c: number, size: number, quick?: boolean): [number, number, number, number] {
  const n = c === 1 ? (quick ? 64 : 512) : quick ? 16 : 128;
  return [n, c, size, size];
}

function work(shape: readonly number[]) {
  const [n, c, h, w] = shape;
  const px = 2 * n * h * w;
  const k = blurTaps(BLUR, h, w);
  return { flops: px * (c * 9 + 60 + c * 12 + 2 * c * k * 4), bytes: px * c * (20 + 16 + 16) };
}

function ours(c: number, size: number): BenchCase {
  return {
    name: `augment simclr 2 views ${c === 1 ? 'Nx1x28x28' : 'Nx3x64x64'}`,
    kernel: 'augment',
    target: '≥5× tfjs (images/s)',
    async setup(gpu, opts) {
      const shape = shapeOf(c, size, opts?.quick);
      const host = randu(shape.reduce((a, b) => a * b, 1), 5);
      const x = gpu.upload(host, shape);
      const out = gpu.empty([2 * shape[0], c, size, size]);
      return {
        run: () => void augment(gpu, x, PIPELINE, { seed: SEED, outSize: size, views: 2, out }),
        async check() {
          return relErr(await gpu.download(out), augmentRef(host, shape, PIPELINE, { seed: SEED, outSize: [size, size], views: 2 }));
        },
        tolerance: 2e-5,
        ...work(shape),
        // workspace: what the pool grows by (parameters and taps; the blur's intermediates when the planes don't fit a workgroup)
        dispose() {
          gpu.free(x);
          gpu.free(out);
        },
      };
    },
    peer: { name: 'tf.image.cropAndResize + flipLeftRight + jitter from arithmetic + rgbToGrayscale + depthwiseConv2d blur', setup: (tf, opts) => peer(tf, c, size, opts?.quick) },
  };
}

/** The same pipeline from tfjs ops, NHWC; per-sample parameters as tensors made in setup. */
async function peer(tf: Tf, c: number, size: number, quick?: boolean) {
  const [n, , h, w] = shapeOf(c, size, quick);
  const s = 2 * n;
  const sp = drawParams(PIPELINE, SEED, s, h, w);
  const col = (slot: number) => Float32Array.from({ length: s }, (_, i) => sp[i * SLOTS + slot]);
  const mask = (slot: number) => tf.tensor4d(Array.from(col(slot), (v) => v > 0.5), [s, 1, 1, 1], 'bool');
  const factor = (slot: number) => tf.tensor4d(col(slot), [s, 1, 1, 1]);
  const img = tf.tensor4d(randu(n * h * w * c, 5), [n, h, w, c]);
  const boxes = tf.tensor2d(
    Array.from({ length: s }, (_, i) => {
      const [y0, x0, ch, cw] = sp.subarray(i * SLOTS, i * SLOTS + 4);
      return [y0 / (h - 1), x0 / (w - 1), (y0 + ch - 1) / (h - 1), (x0 + cw - 1) / (w - 1)];
    }),
  );
  const boxInd = tf.tensor1d(Int32Array.from({ length: s }, (_, i) => i % n), 'int32');
  const [flip, jitterOn, grayOn] = [mask(4), mask(5), mask(10)];
  const [bright, contrast, sat, hue] = [factor(6), factor(7), factor(8), factor(9)];
  // per-(sample, channel) 1-D gaussian taps (a delta where the sample is not blurred)
  const k = blurTaps(BLUR, size, size);
  const r = (k - 1) / 2;
  const taps = new Float32Array(k * s * c);
  for (let i = 0; i < s; i++) {
    const sigma = sp[i * SLOTS + 11];
    const wt = Array.from({ length: k }, (_, t) => (sigma > 0 ? Math.exp(-((t - r) ** 2) / (2 * sigma * sigma)) : t === r ? 1 : 0));
    const sum = wt.reduce((a, b) => a + b, 0);
    for (let t = 0; t < k; t++) for (let ch = 0; ch < c; ch++) taps[(t * s + i) * c + ch] = wt[t] / sum;
  }
  const fh = tf.tensor4d(taps, [1, k, s * c, 1]);
  const fv = tf.tensor4d(taps, [k, 1, s * c, 1]);
  const clip = (x: T4) => tf.clipByValue(x, 0, 1);
  const grayOf = (x: T4) => (c === 1 ? x : (tf.image.rgbToGrayscale(x) as T4));

  function hueShift(x: T4) {
    const [red, green, blue] = tf.split(x, 3, 3);
    const maxc = tf.max(x, 3, true);
    const minc = tf.min(x, 3, true);
    const cr = tf.sub(maxc, minc);
    const eq = tf.equal(maxc, minc);
    const one = tf.onesLike(maxc);
    const sv = tf.div(cr, tf.where(eq, one, maxc));
    const d = tf.where(eq, one, cr);
    const [rc, gc, bc] = [red, green, blue].map((v) => tf.div(tf.sub(maxc, v), d));
    const isR = tf.equal(maxc, red);
    const isG = tf.logicalAnd(tf.equal(maxc, green), tf.logicalNot(isR));
    const hr = tf.sub(bc, gc);
    const hg = tf.add(2, tf.sub(rc, bc));
    const hb = tf.add(4, tf.sub(gc, rc));
    let hh = tf.where(isR, hr, tf.where(isG, hg, hb));
    hh = tf.mod(tf.add(tf.mod(tf.add(tf.div(hh, 6), 1), 1), tf.add(hue, 1)), 1);
    const h6 = tf.mul(hh, 6);
    const fl = tf.floor(h6);
    const f = tf.sub(h6, fl);
    const i = tf.mod(fl, 6);
    const p = clip(tf.mul(maxc, tf.sub(1, sv)));
    const q = clip(tf.mul(maxc, tf.sub(1, tf.mul(sv, f))));
    const t = clip(tf.mul(maxc, tf.sub(1, tf.mul(sv, tf.sub(1, f)))));
    const sel = (vals: T[]) => vals.reduce((acc, v, j) => tf.add(acc, tf.mul(v, tf.cast(tf.equal(i, j), 'float32'))), tf.zerosLike(maxc));
    return tf.concat([sel([maxc, q, p, p, t, maxc]), sel([t, maxc, maxc, q, p, p]), sel([p, p, t, maxc, maxc, q])], 3);
  }

  return {
    run() {
      let x = tf.image.cropAndResize(img, boxes, boxInd, [size, size], 'bilinear') as T4;
      x = tf.where(flip, tf.image.flipLeftRight(x), x);
      let j = clip(tf.mul(x, bright));
      j = clip(tf.add(tf.mul(j, contrast), tf.mul(tf.sub(1, contrast), tf.mean(grayOf(j), [1, 2, 3], true))));
      if (c === 3) {
        j = clip(tf.add(tf.mul(j, sat), tf.mul(tf.sub(1, sat), grayOf(j))));
        j = hueShift(j) as T4;
      }
      x = tf.where(jitterOn, j, x);
      if (c === 3) x = tf.where(grayOn, tf.tile(grayOf(x), [1, 1, 1, 3]), x);
      // blur: samples × channels as the channels of one image, so each gets its own taps
      let y = tf.reshape(tf.transpose(x, [1, 2, 0, 3]), [1, size, size, s * c]) as T4;
      y = tf.mirrorPad(y, [[0, 0], [r, r], [r, r], [0, 0]], 'reflect');
      y = tf.depthwiseConv2d(tf.depthwiseConv2d(y, fh, 1, 'valid'), fv, 1, 'valid');
      return tf.transpose(tf.reshape(y, [size, size, s, c]), [2, 0, 1, 3]);
    },
    dispose: () => tf.dispose([img, boxes, boxInd, flip, jitterOn, grayOn, bright, contrast, sat, hue, fh, fv]),
  };
}

export const benches: BenchCase[] = [ours(1, 28), ours(3, 64)];
