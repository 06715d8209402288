// Embedding lookup and its backward: a [32000, 256] table, 8192 token ids (4 Mi outputs).
// Gather napkin math: 8 bytes per output element (read row, write) + 4 per id. Scatter-add:
// every one of the ⌈V/16⌉ workgroups (16 KiB tiles on lavapipe) scans all N ids (~16 M tests here) and adds
// N·D = 2 Mi values; bytes = dy + dx + ids per workgroup.
import { randn, relErr, rng } from '@pretext/gpu/testing';
import type { BenchCase } from '../bench-tf.js';
import { gather, scatterAddRows } from './gather.js';
import { gatherRef, scatterAddRowsRef } from './gather.ref.js';

const dims = (q?: boolean) => (q ? { V: 4000, D: 256, N: 1024 } : { V: 32000, D: 256, N: 8192 });
const ids = (N: number, V: number) => {
  const r = rng(3);
  return Int32Array.from({ length: N }, () => Math.floor(r() * V));
};

export const benches: BenchCase[] = [
  {
    name: 'gather embedding 32000x256, 8192 ids',
    kernel: 'gather',
    target: '≥1× tfjs, ≥50% copy ceiling',
    async setup(gpu, opts) {
      const { V, D, N } = dims(opts?.quick);
      const xd = randn(V * D, 1);
      const idd = ids(N, V);
      const x = gpu.upload(xd, [V, D]);
      const idx = gpu.upload(idd);
      const out = gpu.empty([N, D]);
      return {
        run: () => void gather(gpu, x, idx, { out }),
        check: async () => relErr(await gpu.download(out), gatherRef(xd, V, D, idd)),
        tolerance: 0,
        flops: 0,
        bytes: 8 * N * D + 4 * N,
        dispose: () => [x, idx, out].forEach((a) => gpu.free(a)),
      };
    },
    peer: {
      name: 'tf.gather',
      async setup(tf, opts) {
        const { V, D, N } = dims(opts?.quick);
        const x = tf.tensor2d(randn(V * D, 1), [V, D]);
        const idx = tf.tensor1d(ids(N, V), 'int32');
        return { run: () => tf.gather(x, idx), dispose: () => tf.dispose([x, idx]) };
      },
    },
  },
  {
    name: 'scatterAddRows embedding backward 32000x256, 8192 ids',
    kernel: 'gather',
    target: '≥1× tfjs',
    async setup(gpu, opts) {
      const { V, D, N } = dims(opts?.quick);
      const dyd = randn(N * D, 2);
      const idd = ids(N, V);
      const dy = gpu.upload(dyd, [N, D]);
      const idx = gpu.upload(idd);
      const dx = gpu.empty([V, D]);
      return {
        run: () => void scatterAddRows(gpu, dy, idx, V, { out: dx }),
        check: async () => relErr(await gpu.download(dx), scatterAddRowsRef(dyd, D, idd, V)),
        tolerance: 1e-6,
        flops: N * D,
        bytes: 4 * (N * D + V * D),
        dispose: () => [dy, idx, dx].forEach((a) => gpu.free(a)),
      };
    },
    peer: {
      name: 'tf.unsortedSegmentSum',
      async setup(tf, opts) {
        const { V, D, N } = dims(opts?.quick);
        const dy = tf.tensor2d(randn(N * D, 2), [N, D]);
        const idx = tf.tensor1d(ids(N, V), 'int32');
        return { run: () => tf.unsortedSegmentSum(dy, idx, V), dispose: () => tf.dispose([dy, idx]) };
      },
    },
  },
];
