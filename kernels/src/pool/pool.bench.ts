// Pooling forward + backward as the SimCLR ConvNet runs it vs tfjs on the same adapter:
// 2×2 max pool after block 1 (N, 16, 28, 28), the global average pool after block 3
// (N, 64, 7, 7) and the grid-2 pooling of the full preset (N, 128, 7, 7) → 2×2 cells by 4×4
// windows of stride 3, each with its gradient (tfjs: MaxPoolGrad / AvgPoolGrad kernels, NHWC).
// Napkin math: memory bound. Max: x read twice (forward, and nothing in backward: it uses the
// argmax), y + idx written, dy + idx read, dx written: 4·(2·X + 4·Y) bytes with Y = X/4, i.e.
// 12·X bytes; for X = 256·16·28·28 = 3.2 M floats, 38.5 MB. Global avg: 4·(2·X + 2·N·C).
import type { Gpu } from '@pretext/gpu';
import { randn, relErr } from '@pretext/gpu/testing';
import type { BenchCase, Tf } from '../bench-tf.js';
import { avgPool2d, avgPool2dBackward, maxPool2d, maxPool2dBackward, poolGeometry } from './pool.js';
import { avgPool2dBackwardRef, avgPool2dRef, maxPool2dBackwardRef, maxPool2dRef } from './pool.ref.js';

const numel = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

function bench(kind: 'max' | 'avg', c: number, hw: number, k: number, stride = k): BenchCase {
  const ho = Math.floor((hw - k) / stride) + 1;
  const shapes = (quick: boolean) => {
    const n = quick ? 8 : 256;
    return { n, x: [n, c, hw, hw], y: [n, c, ho, ho] };
  };
  const opts = { kernel: k, stride };
  return {
    name: `pool ${kind} ${k}x${k}${stride !== k ? `/${stride}` : ''} fwd+bwd ${c}x${hw}x${hw} batch 256`,
    kernel: 'pool',
    target: '≥1× tfjs, ≥30% copy ceiling',
    async setup(gpu: Gpu, o) {
      const s = shapes(o?.quick ?? false);
      const [xh, dyh] = [randn(numel(s.x), 1), randn(numel(s.y), 2)];
      const [x, dy] = [gpu.upload(xh, s.x), gpu.upload(dyh, s.y)];
      const [y, idx, dx] = [gpu.empty(s.y), gpu.empty(s.y, 'i32'), gpu.empty(s.x)];
      const g = poolGeometry('bench', s.x, opts);
      const [X, Y] = [numel(s.x), numel(s.y)];
      return {
        run() {
          if (kind === 'max') {
            maxPool2d(gpu, x, { ...opts, out: y, outIndices: idx });
            maxPool2dBackward(gpu, dy, idx, s.x, { ...opts, out: dx });
          } else {
            avgPool2d(gpu, x, { ...opts, out: y });
            avgPool2dBackward(gpu, dy, s.x, { ...opts, out: dx });
          }
        },
        async check() {
          if (kind === 'avg') return Math.max(relErr(await gpu.download(y), avgPool2dRef(g, xh)), relErr(await gpu.download(dx), avgPool2dBackwardRef(g, dyh)));
          const ref = maxPool2dRef(g, xh);
          return Math.max(relErr(await gpu.download(y), ref.y), relErr(await gpu.download(dx), maxPool2dBackwardRef(g, dyh, ref.indices)));
        },
        tolerance: 1e-5,
        flops: kind === 'max' ? X + Y : 2 * Y * k * k,
        bytes: kind === 'max' ? 4 * (2 * X + 4 * Y) : 4 * (2 * X + 2 * Y),
        dispose: () => [x, dy, y, idx, dx].forEach((a) => gpu.free(a)),
      };
    },
    peer: {
      name: kind === 'max' ? 'tf.maxPool + MaxPoolGrad (NHWC)' : 'tf.avgPool + AvgPoolGrad (NHWC)',
      async setup(tf: Tf, o) {
        const s = shapes(o?.quick ?? false);
        const x = tf.tensor4d(randn(numel(s.x), 1), [s.n, hw, hw, c]);
        const dy = tf.tensor4d(randn(numel(s.y), 2), [s.n, s.y[2], s.y[3], c]);
        const attrs = { filterSize: [k, k], strides: [stride, stride], pad: 'valid', dimRoundingMode: undefined };
        return {
          run: () => {
            if (kind === 'avg') return [tf.avgPool(x, k, stride, 'valid'), tf.engine().runKernel('AvgPoolGrad', { dy, input: x }, attrs as never)];
            const y = tf.maxPool(x, k, stride, 'valid');
            return [y, tf.engine().runKernel('MaxPoolGrad', { dy, input: x, output: y }, attrs as never)];
          },
          dispose: () => tf.dispose([x, dy]),
        };
      },
    },
  };
}

export const benches: BenchCase[] = [bench('max', 16, 28, 2), bench('avg', 64, 7, 7), bench('avg', 128, 7, 4, 3)];
