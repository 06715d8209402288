// matmul vs tf.matMul (tfjs-backend-webgpu, same adapter).
// Napkin math: FLOPs = 2·B·M·N·K; bytes = 4·(|A| + |B| + |C|) (each read or written once; the
// kernel really re-reads A and B from cache many times). 1024³: 2.15 GFLOP, 12.6 MB — compute
// bound; the yardstick is the adapter's FMA ceiling (see the `ceiling` bench), not bandwidth.
import type { Gpu } from '@pretext/gpu';
import { randn, relErr } from '@pretext/gpu/testing';
import type { BenchCase, Tf } from '../bench-tf.js';
import { matmul } from './matmul.js';
import { matmulRef } from './matmul.ref.js';

interface Spec {
  name: string;
  /** stored shapes of A and B */
  a: (quick: boolean) => number[];
  b: (quick: boolean) => number[];
  transA?: boolean;
  transB?: boolean;
  target?: string;
}

const cube = (quick: boolean) => (quick ? 256 : 1024);

const specs: Spec[] = [
  { name: 'matmul 1024x1024x1024', a: (q) => [cube(q), cube(q)], b: (q) => [cube(q), cube(q)], target: '≥3× tfjs, ≥40% FMA ceiling' },
  { name: 'matmul batched 8x256x256x256', a: (q) => [q ? 2 : 8, 256, 256], b: (q) => [q ? 2 : 8, 256, 256] },
  { name: 'matmul transB 1024x1024x1024', a: (q) => [cube(q), cube(q)], b: (q) => [cube(q), cube(q)], transB: true },
  { name: 'matmul transA 1024x1024x1024', a: (q) => [cube(q), cube(q)], b: (q) => [cube(q), cube(q)], transA: true },
  // a linear probe's logits on raw Fashion-MNIST pixels: batch 256 × 784 against 10 classes (the narrow form of matmul.wgsl)
  { name: 'matmul head transB 256x10x784', a: () => [256, 784], b: () => [10, 784], transB: true },
];

const numel = (s: readonly number[]) => s.reduce((x, y) => x * y, 1);

function bench(spec: Spec): BenchCase {
  return {
    name: spec.name,
    kernel: 'matmul',
    target: spec.target,
    async setup(gpu: Gpu, opts) {
      const quick = opts?.quick ?? false;
      const [aShape, bShape] = [spec.a(quick), spec.b(quick)];
      const [ah, bh] = [randn(numel(aShape), 1), randn(numel(bShape), 2)];
      const a = gpu.upload(ah, aShape);
      const b = gpu.upload(bh, bShape);
      const t = { transA: spec.transA, transB: spec.transB };
      const out = matmul(gpu, a, b, t);
      const [M, N] = out.shape.slice(-2);
      const K = aShape[aShape.length - (spec.transA ? 2 : 1)];
      const batch = numel(out.shape) / (M * N);
      return {
        run: () => void matmul(gpu, a, b, { ...t, out }),
        async check() {
          const want = matmulRef(ah, aShape, bh, bShape, t);
          return relErr(await gpu.download(out), want);
        },
        tolerance: 1e-5,
        flops: 2 * batch * M * N * K,
        bytes: 4 * (numel(aShape) + numel(bShape) + numel(out.shape)),
        dispose() {
          [a, b, out].forEach((x) => gpu.free(x));
        },
      };
    },
    peer: {
      name: 'tf.matMul',
      async setup(tf: Tf, opts) {
        const quick = opts?.quick ?? false;
        const [aShape, bShape] = [spec.a(quick), spec.b(quick)];
        const a = tf.tensor(randn(numel(aShape), 1), aShape);
        const b = tf.tensor(randn(numel(bShape), 2), bShape);
        return {
          run: () => tf.matMul(a, b, spec.transA ?? false, spec.transB ?? false),
          dispose: () => tf.dispose([a, b]),
        };
      },
    },
  };
}

export const benches: BenchCase[] = specs.map(bench);
