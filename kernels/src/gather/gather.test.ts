import { KernelInputError } from '@pretext/gpu';
import { freshSeed, poisoned, randn, relErr, rng, testGpu } from '@pretext/gpu/testing';
import { describe, expect, it } from 'vitest';
import { gather, scatterAddRows } from './gather.js';
import { gatherRef, scatterAddRowsRef } from './gather.ref.js';

// [V, D, N]: single row/column, D off every tile width, many repeats (N ≫ V), V over a tile,
// both layouts (D ≥ 64 row per workgroup, D < 64 per element) and more rows than one grid dimension
const CASES: [number, number, number][] = [[1, 1, 1], [5, 3, 17], [37, 1, 300], [9, 70, 700], [300, 33, 257], [1000, 300, 40], [3, 513, 9], [4096, 64, 70000], [7, 63, 1100]];

function randomIdx(n: number, V: number, seed: number, outOfRange = false): Int32Array {
  const r = rng(seed);
  return Int32Array.from({ length: n }, () => (outOfRange && r() < 0.2 ? (r() < 0.5 ? -1 - Math.floor(r() * 5) : V + Math.floor(r() * 5)) : Math.floor(r() * V)));
}

describe('gather', () => {
  for (const [V, D, N] of CASES) {
    it(`gathers and scatter-adds rows: V ${V}, D ${D}, N ${N}`, async () => {
      const gpu = await testGpu();
      const seed = freshSeed();
      const xd = randn(V * D, seed);
      const idxData = randomIdx(N, V, seed + 1, true);
      const x = gpu.upload(xd, [V, D]);
      const idx = gpu.upload(idxData);
      const out = poisoned(gpu, [N, D]);
      gather(gpu, x, idx, { out });
      expect(relErr(await gpu.download(out), gatherRef(xd, V, D, idxData)), `seed ${seed}: forward`).toBe(0);

      const dyd = randn(N * D, seed + 2);
      const dy = gpu.upload(dyd, [N, D]);
      const dx = poisoned(gpu, [V, D]);
      scatterAddRows(gpu, dy, idx, V, { out: dx });
      expect(relErr(await gpu.download(dx), scatterAddRowsRef(dyd, D, idxData, V)), `seed ${seed}: backward`).toBeLessThan(1e-6);
      for (const a of [x, idx, out, dy, dx]) gpu.free(a);
    });
  }

  it('takes host indices and multi-dim shapes, moves i32 rows', async () => {
    const gpu = await testGpu();
    const seed = freshSeed();
    const xd = Int32Array.from({ length: 6 * 2 * 3 }, (_, i) => i * 31 - 100);
    const x = gpu.upload(xd, [6, 2, 3]);
    const idx = randomIdx(4 * 5, 6, seed);
    const out = gather(gpu, x, idx.slice());
    expect(out.shape).toEqual([20, 2, 3]);
    expect([...(await gpu.download(out))], `seed ${seed}`).toEqual([...gatherRef(xd, 6, 6, idx)]);
    const idx2 = gpu.upload(idx, [4, 5]);
    const out2 = gather(gpu, x, idx2);
    expect(out2.shape).toEqual([4, 5, 2, 3]);
    const dyd = randn(4 * 5 * 6, seed);
    const dy = gpu.upload(dyd, [4, 5, 2, 3]);
    const dx = scatterAddRows(gpu, dy, idx2, 6);
    expect(dx.shape).toEqual([6, 2, 3]);
    expect(relErr(await gpu.download(dx), scatterAddRowsRef(dyd, 6, idx, 6)), `seed ${seed}`).toBeLessThan(1e-6);
    for (const a of [x, out, idx2, out2, dy, dx]) gpu.free(a);
  });

  it('rejects bad input with clear messages', async () => {
    const gpu = await testGpu();
    const x = gpu.upload(new Float32Array(12), [4, 3]);
    expect(() => gather(gpu, x, Int32Array.from([0, 4]))).toThrow(KernelInputError);
    expect(() => gather(gpu, x, Int32Array.from([0, 4]))).toThrow(/gather: argument 'idx': idx\[1\] = 4 is out of range \[0, 4\)/);
    expect(() => gather(gpu, x, gpu.upload(new Float32Array(2)))).toThrow(/'idx': dtype must be i32, got f32/);
    expect(() => gather(gpu, x, Int32Array.from([1]), { out: gpu.empty([1, 4]) })).toThrow(/'out': must be f32 \[1, 3\]/);
    const dy = gpu.upload(new Float32Array(6), [2, 3]);
    expect(() => scatterAddRows(gpu, dy, Int32Array.from([0, 1, 2]), 4)).toThrow(/scatterAddRows: argument 'dy': shape \[2, 3\] must start with idx's shape \[3\]/);
    expect(() => scatterAddRows(gpu, dy, Int32Array.from([0, -1]), 4)).toThrow(/idx\[1\] = -1 is out of range/);
    expect(() => scatterAddRows(gpu, dy, Int32Array.from([0, 1]), 0)).toThrow(/'rows': must be a positive integer/);
  });
});
