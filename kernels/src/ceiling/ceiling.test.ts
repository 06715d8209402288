import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Gpu, KernelInputError } from '@pretext/gpu';
import { freshSeed, poisoned, randn, relErr, testGpu } from '@pretext/gpu/testing';
import { describe, expect, it } from 'vitest';
import { copyCeiling, fmaCeiling, measureCeilings } from './ceiling.js';
import { fmaCeilingRef } from './ceiling.ref.js';

describe('ceiling', () => {
  for (const fused of [false, true]) {
    it(`fma chains (${fused ? 'fma()' : 'a*m+c'}) match the reference on awkward sizes`, async () => {
      const gpu = await testGpu();
      for (const [n, iters] of [[1, 1], [63, 7], [65, 100], [1000, 33]]) {
        // fresh chain parameters each run: m ∈ [0.9, 0.999), c ∈ [0, 0.01)
        const seed = freshSeed();
        const r = randn(2, seed);
        const m = 0.9 + 0.099 * (0.5 + 0.5 * Math.tanh(r[0]));
        const c = 0.005 * (1 + Math.tanh(r[1]));
        const out = poisoned(gpu, [n]);
        fmaCeiling(gpu, { n, iters, m, c, fused, out });
        const got = await gpu.download(out);
        expect(relErr(got, fmaCeilingRef(n, iters, { m, c })), `seed ${seed} n ${n} iters ${iters}`).toBeLessThan(1e-5);
        gpu.free(out);
      }
    });
  }

  it('copy moves every element, including a partial last vec4', async () => {
    const gpu = await testGpu();
    for (const shape of [[1], [7, 3], [4099], [3, 5000, 2]]) {
      const seed = freshSeed();
      const n = shape.reduce((a, b) => a * b, 1);
      const data = randn(n, seed);
      const x = gpu.upload(data, shape);
      const out = poisoned(gpu, shape);
      copyCeiling(gpu, x, { out });
      expect(relErr(await gpu.download(out), data), `seed ${seed} shape ${shape}`).toBe(0);
      gpu.free(x);
      gpu.free(out);
    }
  });

  it('rejects bad input with the kernel and argument named', async () => {
    const gpu = await testGpu();
    expect(() => fmaCeiling(gpu, { n: 0, iters: 4 })).toThrow(KernelInputError);
    expect(() => fmaCeiling(gpu, { n: 8, iters: 0 })).toThrow(/ceiling\.mad: argument 'iters'/);
    expect(() => fmaCeiling(gpu, { n: 2 ** 27, iters: 1, fused: true })).toThrow(/ceiling\.fma: argument 'n': .*overflow/);
    expect(() => fmaCeiling(gpu, { n: 8, iters: 1, out: gpu.empty([9]) })).toThrow(/'out'/);
    expect(() => copyCeiling(gpu, gpu.upload(new Int32Array(4)))).toThrow(/ceiling\.copy: argument 'x': dtype must be f32/);
    expect(() => copyCeiling(gpu, gpu.empty([0]))).toThrow(/empty tensor \[0\]/);
    expect(() => copyCeiling(gpu, gpu.empty([5]), { out: gpu.empty([6]) })).toThrow(/'out'/);
  });

  it('measureCeilings: positive FMA and copy rates, its own passes taken back out of the profile', async () => {
    const gpu = await Gpu.create({ profile: true, tracePath: join(tmpdir(), 'pretext-ceiling-test-trace.json') });
    try {
      if (!gpu.profiler.enabled) return expect(await measureCeilings(gpu)).toBeNull();
      const x = gpu.upload(randn(1000, freshSeed()));
      copyCeiling(gpu, x, { out: gpu.empty([1000]) }); // the caller's own pass stays
      await gpu.sync();
      const before = gpu.profiler.records.map((r) => r.kernel);
      const c = await measureCeilings(gpu, 2);
      expect(c?.fmaGflops).toBeGreaterThan(0);
      expect(c?.copyGbps).toBeGreaterThan(0);
      expect(gpu.profiler.records.map((r) => r.kernel)).toEqual(before);
    } finally {
      await gpu.destroy();
    }
  });
});
