import { KernelInputError } from '@pretext/gpu';
import { freshSeed, poisoned, randn, relErr, rng, testGpu } from '@pretext/gpu/testing';
import { describe, expect, it } from 'vitest';
import { concat, pad, slice } from './copy.js';
import { concatRef, padRef, sliceRef } from './copy.ref.js';

const numel = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

describe('copy', () => {
  it('slice with start/stop/step, negative bounds and clamping', async () => {
    const gpu = await testGpu();
    const cases: [number[], number[], number[], number[]][] = [
      [[1], [0], [1], [1]],
      [[13], [2], [-1], [3]],
      [[7, 9], [1, -5], [100, 9], [2, 1]],
      [[5, 6, 7], [0, 1, 2], [5, 6, 7], [1, 2, 3]],
      [[2, 3, 4, 5, 3, 2], [1, 0, 1, 0, 2, 0], [2, 3, 4, 5, 3, 2], [1, 2, 1, 3, 1, 1]],
    ];
    for (const [shape, start, stop, step] of cases) {
      const seed = freshSeed();
      const data = randn(numel(shape), seed);
      const x = gpu.upload(data, shape);
      const want = sliceRef(data, shape, start, stop, step);
      const out = poisoned(gpu, want.shape);
      slice(gpu, x, start, stop, { step, out });
      expect(relErr(await gpu.download(out), want.data), `seed ${seed} ${shape}`).toBe(0);
      gpu.free(x);
      gpu.free(out);
    }
  });

  it('slice copies i32 words exactly', async () => {
    const gpu = await testGpu();
    const data = Int32Array.from({ length: 60 }, (_, i) => i * 1_000_003 - 7);
    const x = gpu.upload(data, [6, 10]);
    const out = slice(gpu, x, [1, 3], [5, 10], { step: [3, 2] });
    expect(out.dtype).toBe('i32');
    expect([...(await gpu.download(out))]).toEqual([...sliceRef(data, [6, 10], [1, 3], [5, 10], [3, 2]).data]);
    gpu.free(x);
    gpu.free(out);
  });

  it('concat along every axis, including sizes of 1', async () => {
    const gpu = await testGpu();
    for (const [base, axis, sizes] of [[[5], 0, [1, 7, 3]], [[4, 3, 5], 1, [1, 2, 9]], [[3, 7], 1, [1, 1]], [[2, 3, 4], -1, [5, 1, 3, 2]], [[1, 2], 0, [1]], [[2, 8], 0, [3, 1]], [[6, 12], 1, [4, 8]]] as [number[], number, number[]][]) {
      const seed = freshSeed();
      const r = rng(seed);
      const ax = axis < 0 ? axis + base.length : axis;
      const parts = sizes.map((s) => {
        const shape = base.map((d, k) => (k === ax ? s : d));
        const data = randn(numel(shape), (r() * 2 ** 31) >>> 0);
        return { data, shape, arr: gpu.upload(data, shape) };
      });
      const want = concatRef(parts, ax);
      const out = poisoned(gpu, want.shape);
      concat(gpu, parts.map((p) => p.arr), axis, { out });
      expect(relErr(await gpu.download(out), want.data), `seed ${seed} ${base} axis ${axis}`).toBe(0);
      for (const p of parts) gpu.free(p.arr);
      gpu.free(out);
    }
  });

  it('pad with a constant', async () => {
    const gpu = await testGpu();
    for (const [shape, pads, value] of [[[1], [[2, 3]], 0], [[3, 5], [[1, 0], [2, 2]], -1.5], [[2, 3, 4], [[0, 0], [1, 1], [0, 3]], 0], [[4, 4], [[0, 0], [0, 0]], 9]] as [number[], [number, number][], number][]) {
      const seed = freshSeed();
      const data = randn(numel(shape), seed);
      const x = gpu.upload(data, shape);
      const want = padRef(data, shape, pads, value);
      const out = poisoned(gpu, want.shape);
      pad(gpu, x, pads, { value, out });
      expect(relErr(await gpu.download(out), want.data), `seed ${seed} ${shape} ${JSON.stringify(pads)}`).toBe(0);
      gpu.free(x);
      gpu.free(out);
    }
  });

  it('rejects bad input with clear messages', async () => {
    const gpu = await testGpu();
    const x = gpu.upload(new Float32Array(12), [3, 4]);
    expect(() => slice(gpu, x, [0], [1])).toThrow(KernelInputError);
    expect(() => slice(gpu, x, [0, 0], [3, 4], { step: [0, 1] })).toThrow(/slice: argument 'step': steps must be integers ≥ 1/);
    expect(() => slice(gpu, x, [2, 0], [1, 4])).toThrow(/slice \[2:1:1, 0:4:1\] of \[3, 4\] is empty/);
    expect(() => concat(gpu, [x, gpu.empty([3, 5, 1])], 1)).toThrow(/concat: argument 'xs\[1\]': shape \[3, 5, 1\] does not match \[3, 4\] outside axis 1/);
    expect(() => concat(gpu, [x, gpu.empty([2, 4], 'i32')], 0)).toThrow(/dtype i32 differs/);
    expect(() => concat(gpu, [x], 2)).toThrow(/axis': 2 is out of range for rank 2/);
    expect(() => pad(gpu, x, [[1, -1], [0, 0]])).toThrow(/pads must be non-negative/);
    expect(() => pad(gpu, x, [[1, 1]], { out: gpu.empty([5, 4]) })).toThrow(/need 2 \[before, after\] pairs/);
  });
});
