// Elementwise add vs tf.add. Napkin math: 1 FLOP and 12 bytes (read a, read b, write out) per
// element for equal shapes; a broadcast bias reads its row from cache, so ~8 bytes per element.
// Both are bandwidth tests: compare with the copy ceiling, not FMA.
import { randn, relErr } from '@pretext/gpu/testing';
import type { BenchCase } from '../bench-tf.js';
import { binary } from './binary.js';
import { binaryRef } from './binary.ref.js';

function addCase(name: string, full: [number[], number[]], quick: [number[], number[]], bytesPerElem: number): BenchCase {
  const shapes = (q?: boolean) => (q ? quick : full);
  const numel = (s: number[]) => s.reduce((p, d) => p * d, 1);
  return {
    name,
    kernel: 'binary',
    target: '≥1× tfjs, ≥50% copy ceiling',
    async setup(gpu, opts) {
      const [sa, sb] = shapes(opts?.quick);
      const ad = randn(numel(sa), 1);
      const bd = randn(numel(sb), 2);
      const a = gpu.upload(ad, sa);
      const b = gpu.upload(bd, sb);
      const out = gpu.empty(sa);
      return {
        run: () => void binary(gpu, 'add', a, b, { out }),
        check: async () => relErr(await gpu.download(out), binaryRef('add', ad, sa, bd, sb)),
        tolerance: 1e-6,
        flops: numel(sa),
        bytes: bytesPerElem * numel(sa),
        dispose: () => [a, b, out].forEach((x) => gpu.free(x)),
      };
    },
    peer: {
      name: 'tf.add',
      async setup(tf, opts) {
        const [sa, sb] = shapes(opts?.quick);
        const a = tf.tensor(randn(numel(sa), 1), sa);
        const b = tf.tensor(randn(numel(sb), 2), sb);
        return { run: () => tf.add(a, b), dispose: () => tf.dispose([a, b]) };
      },
    },
  };
}

export const benches: BenchCase[] = [
  addCase('binary add 4M', [[1 << 22], [1 << 22]], [[1 << 18], [1 << 18]], 12),
  addCase('binary add bias 4096x1024 + 1024', [[4096, 1024], [1024]], [[256, 1024], [1024]], 8),
];
