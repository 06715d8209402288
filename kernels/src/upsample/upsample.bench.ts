// Bilinear ×2 of (64, 64, 32, 32) → 64×64, forward + backward, vs tf.image.resizeBilinear and its
// ResizeBilinearGrad kernel (NHWC; tfjs's gradient samples without half-pixel centres, the same
// work). Napkin math: the forward writes 4 B per output and reads x about once (neighbours share
// taps), the backward gathers ≤ 4 taps per dx from dy (read ≈ once) and writes dx: with
// m = 16.8 M outputs and n = m/4 inputs, 4·(n + m)·2 = 168 MB and ~14 FLOPs per output. A bandwidth
// test: compare with the copy ceiling.
import { randn, relErr } from '@pretext/gpu/testing';
import type { BenchCase } from '../bench-tf.js';
import { upsample2d, upsample2dBackward } from './upsample.js';
import { upsample2dBackwardRef, upsample2dRef } from './upsample.ref.js';

const dims = (quick?: boolean) => ({ n: quick ? 4 : 64, c: 64, h: 32, w: 32, size: [64, 64] as [number, number] });

export const benches: BenchCase[] = [
  {
    name: 'upsample bilinear x2 fwd+bwd 64x64x32x32',
    kernel: 'upsample',
    target: '≥1× tfjs, ≥30% copy ceiling',
    async setup(gpu, opts) {
      const { n, c, h, w, size } = dims(opts?.quick);
      const xShape = [n, c, h, w];
      const yShape = [n, c, ...size];
      const xHost = randn(n * c * h * w, 3);
      const dyHost = randn(n * c * size[0] * size[1], 4);
      const x = gpu.upload(xHost, xShape);
      const dy = gpu.upload(dyHost, yShape);
      const y = gpu.empty(yShape);
      const dx = gpu.empty(xShape);
      const m = n * c * size[0] * size[1];
      return {
        run() {
          upsample2d(gpu, x, { size, mode: 'bilinear', out: y });
          upsample2dBackward(gpu, dy, xShape, { size, mode: 'bilinear', out: dx });
        },
        async check() {
          const fwd = relErr(await gpu.download(y), upsample2dRef(xHost, xShape, size, 'bilinear'));
          return Math.max(fwd, relErr(await gpu.download(dx), upsample2dBackwardRef(dyHost, xShape, size, 'bilinear')));
        },
        tolerance: 1e-5,
        flops: 14 * m,
        bytes: 8 * (m + m / 4),
        dispose: () => {
          for (const a of [x, dy, y, dx]) gpu.free(a);
        },
      };
    },
    peer: {
      name: 'tf.image.resizeBilinear + ResizeBilinearGrad (NHWC)',
      async setup(tf, opts) {
        const { n, c, h, w, size } = dims(opts?.quick);
        const x = tf.tensor4d(randn(n * h * w * c, 3), [n, h, w, c]);
        const dy = tf.tensor4d(randn(n * size[0] * size[1] * c, 4), [n, size[0], size[1], c]);
        return {
          run: () => [tf.image.resizeBilinear(x, size, false, true), tf.engine().runKernel('ResizeBilinearGrad', { images: x, dy }, { alignCorners: false })],
          dispose: () => tf.dispose([x, dy]),
        };
      },
    },
  },
];
