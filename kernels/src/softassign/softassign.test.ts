import { KernelInputError } from '@pretext/gpu';
import { freshSeed, poisoned, randn, randu, relErr, testGpu } from '@pretext/gpu/testing';
import { describe, expect, it } from 'vitest';
import { softAssign } from './softassign.js';
import { softAssignRef } from './softassign.ref.js';

const numel = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

describe('softassign', () => {
  // points (N, D, d…), codewords Q, k, σ, with code weights
  const cases: [number[], number, number, number, boolean][] = [
    [[3, 2, 5, 7], 37, 5, 5, true],
    [[1, 3, 1], 20, 16, 8, false],
    [[2, 1, 13], 1, 1, 1, true],
    [[4, 2, 9, 11], 313, 5, 5, true],
  ];
  for (const [shape, Q, k, sigma, weighted] of cases) {
    it(`matches the float64 reference: points ${shape}, ${Q} codewords, k ${k}, σ ${sigma}`, async () => {
      const gpu = await testGpu();
      const seed = freshSeed();
      const D = shape[1];
      const pts = randn(numel(shape), seed, 30);
      const code = randu(Q * D, seed + 1, -50, 50);
      const cw = weighted ? randu(Q, seed + 2, 0.1, 5) : undefined;
      const outShape = [shape[0], k, ...shape.slice(2)];
      const rowShape = [shape[0], ...shape.slice(2)];
      const out = { index: gpu.upload(new Int32Array(numel(outShape)).fill(-7), outShape), prob: poisoned(gpu, outShape), weight: poisoned(gpu, rowShape) };
      const got = softAssign(gpu, gpu.upload(pts, shape), gpu.upload(code, [Q, D]), { k, sigma, codeWeights: cw ? gpu.upload(cw, [Q]) : undefined, out });
      const want = softAssignRef(pts, shape, code, k, sigma, cw);
      const msg = `seed ${seed}`;
      expect([...(await gpu.download(got.index))], msg).toEqual([...want.index]);
      expect(relErr(await gpu.download(got.prob), want.prob), msg).toBeLessThan(1e-5);
      if (want.weight) expect(relErr(await gpu.download(got.weight as never), want.weight), msg).toBeLessThan(1e-7);
    });
  }

  it('hand-computed: nearest first, Gaussian weights, ties to the lower index', async () => {
    const gpu = await testGpu();
    // codes 0, 10, 20, 30 on a line; point 12 → 10 (d² = 4) then 20 (d² = 64): p ∝ (1, e^{−60/50})
    const r = softAssign(gpu, gpu.upload(new Float32Array([12, 15]), [2, 1]), gpu.upload(new Float32Array([0, 10, 20, 30]), [4, 1]), { k: 2, sigma: 5, codeWeights: gpu.upload(new Float32Array([1, 2, 3, 4]), [4]) });
    expect([...(await gpu.download(r.index))]).toEqual([1, 2, 1, 2]); // 15: a tie between 10 and 20
    const p = await gpu.download(r.prob);
    const e = Math.exp(-60 / 50);
    expect(p[0]).toBeCloseTo(1 / (1 + e), 6);
    expect(p[1]).toBeCloseTo(e / (1 + e), 6);
    expect([p[2], p[3]]).toEqual([0.5, 0.5]);
    expect([...(await gpu.download(r.weight as never))]).toEqual([2, 2]);
  });

  it('rejects bad input with the kernel and argument named', async () => {
    const gpu = await testGpu();
    const pts = gpu.upload(new Float32Array(12), [2, 2, 3]);
    const code = gpu.upload(new Float32Array(8), [4, 2]);
    expect(() => softAssign(gpu, gpu.upload(new Float32Array(3), [3]), code, { k: 1, sigma: 1 })).toThrow(KernelInputError);
    expect(() => softAssign(gpu, pts, gpu.upload(new Float32Array(12), [4, 3]), { k: 1, sigma: 1 })).toThrow(/softassign: argument 'codebook': must be f32 \(Q, 2\)/);
    expect(() => softAssign(gpu, pts, code, { k: 5, sigma: 1 })).toThrow(/'k': must be an integer in \[1, 4\]/);
    expect(() => softAssign(gpu, pts, code, { k: 2, sigma: 0 })).toThrow(/'sigma': must be a finite number > 0/);
    expect(() => softAssign(gpu, pts, code, { k: 2, sigma: 1, codeWeights: gpu.upload(new Float32Array(3), [3]) })).toThrow(/'codeWeights': must be f32 \[4\]/);
  });
});
