// Concat of two [R, C] arrays along axis 1 (every output row interleaves both inputs) vs
// tf.concat, and a strided slice x[:, ::2] vs tf.stridedSlice. Napkin math:
// 8 bytes per output element (read + write), no FLOPs: compare with the copy ceiling.
import { randn, relErr } from '@pretext/gpu/testing';
import type { BenchCase } from '../bench-tf.js';
import { concat, slice } from './copy.js';
import { concatRef, sliceRef } from './copy.ref.js';

const rows = (q?: boolean) => (q ? 256 : 2048);
const C = 1024;

export const benches: BenchCase[] = [
  {
    name: 'concat 2x[2048, 1024] axis 1',
    kernel: 'copy',
    target: '≥1× tfjs, ≥50% copy ceiling',
    async setup(gpu, opts) {
      const r = rows(opts?.quick);
      const parts = [randn(r * C, 1), randn(r * C, 2)].map((data) => ({ data, shape: [r, C] }));
      const xs = parts.map((p) => gpu.upload(p.data, p.shape));
      const out = gpu.empty([r, 2 * C]);
      return {
        run: () => void concat(gpu, xs, 1, { out }),
        check: async () => relErr(await gpu.download(out), concatRef(parts, 1).data),
        tolerance: 0,
        flops: 0,
        bytes: 8 * 2 * r * C,
        dispose: () => [...xs, out].forEach((x) => gpu.free(x)),
      };
    },
    peer: {
      name: 'tf.concat',
      async setup(tf, opts) {
        const r = rows(opts?.quick);
        const xs = [tf.tensor2d(randn(r * C, 1), [r, C]), tf.tensor2d(randn(r * C, 2), [r, C])];
        return { run: () => tf.concat(xs, 1), dispose: () => tf.dispose(xs) };
      },
    },
  },
  {
    name: 'slice [2048, 1024][:, ::2]',
    kernel: 'copy',
    target: '≥1× tfjs',
    async setup(gpu, opts) {
      const r = rows(opts?.quick);
      const data = randn(r * C, 3);
      const x = gpu.upload(data, [r, C]);
      const out = gpu.empty([r, C / 2]);
      return {
        run: () => void slice(gpu, x, [0, 0], [r, C], { step: [1, 2], out }),
        check: async () => relErr(await gpu.download(out), sliceRef(data, [r, C], [0, 0], [r, C], [1, 2]).data),
        tolerance: 0,
        flops: 0,
        bytes: 8 * (r * C) / 2,
        dispose: () => [x, out].forEach((a) => gpu.free(a)),
      };
    },
    peer: {
      name: 'tf.stridedSlice',
      async setup(tf, opts) {
        const r = rows(opts?.quick);
        const x = tf.tensor2d(randn(r * C, 3), [r, C]);
        return { run: () => tf.stridedSlice(x, [0, 0], [r, C], [1, 2]), dispose: () => x.dispose() };
      },
    },
  },
];
