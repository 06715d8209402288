// 2048×2048 transpose (tiled path) and a [64, 128, 256] → [256, 64, 128] permute (general
// strided path) vs tf.transpose. Napkin math: 8 bytes per element (read + write), no FLOPs.
import { randn, relErr } from '@pretext/gpu/testing';
import type { BenchCase } from '../bench-tf.js';
import { transpose } from './transpose.js';
import { transposeRef } from './transpose.ref.js';

function permCase(name: string, full: number[], quick: number[], perm: number[]): BenchCase {
  const shapeOf = (q?: boolean) => (q ? quick : full);
  const numel = (s: number[]) => s.reduce((a, b) => a * b, 1);
  return {
    name,
    kernel: 'transpose',
    target: '≥1× tfjs, ≥50% copy ceiling',
    async setup(gpu, opts) {
      const shape = shapeOf(opts?.quick);
      const data = randn(numel(shape), 5);
      const x = gpu.upload(data, shape);
      const out = gpu.empty(perm.map((k) => shape[k]));
      return {
        run: () => void transpose(gpu, x, perm, { out }),
        check: async () => relErr(await gpu.download(out), transposeRef(data, shape, perm).data),
        tolerance: 0,
        flops: 0,
        bytes: 8 * numel(shape),
        dispose: () => [x, out].forEach((a) => gpu.free(a)),
      };
    },
    peer: {
      name: 'tf.transpose',
      async setup(tf, opts) {
        const shape = shapeOf(opts?.quick);
        const x = tf.tensor(randn(numel(shape), 5), shape);
        return { run: () => tf.transpose(x, perm), dispose: () => x.dispose() };
      },
    },
  };
}

export const benches: BenchCase[] = [
  permCase('transpose 2048x2048', [2048, 2048], [256, 256], [1, 0]),
  permCase('transpose [64,128,256] perm [2,0,1]', [64, 128, 256], [8, 16, 32], [2, 0, 1]),
];
