import { KernelInputError } from '@pretext/gpu';
import { freshSeed, poisoned, randn, randu, relErr, testGpu } from '@pretext/gpu/testing';
import { describe, expect, it } from 'vitest';
import { batchnorm, batchnormBackward, batchnormReluPool, batchnormReluPoolBackward } from './batchnorm.js';
import { batchnormBackwardRef, batchnormRef, batchnormReluPoolBackwardRef, batchnormReluPoolRef } from './batchnorm.ref.js';

const dimsOf = (s: number[]): [number, number, number] => [s[0], s[1], (s[2] ?? 1) * (s[3] ?? 1)];
/** The fused pooling's output shape for x (N, C, H, W). */
const pooledShape = (s: readonly number[], pool: number | 'mean') => (pool === 'mean' ? [s[0], s[1]] : [s[0], s[1], Math.floor(s[2] / pool), Math.floor(s[3] / pool)]);
const poolName = (pool: number | 'mean') => (pool === 'mean' ? 'global mean pool' : `${pool}×${pool} max pool`);

describe('batchnorm', () => {
  // (with 2 values per channel xhat = ±1 whatever x is, so dx ≈ 0 and relative error is meaningless)
  for (const relu of [false, true])
  for (const shape of [[3, 5, 11, 11], [5, 3, 6, 6], [3, 2, 2, 2], [7, 5], [2, 3, 13, 1], [1, 3, 1, 3], [300, 2]]) {
    it(`${relu ? 'with fused ReLU: ' : ''}training forward, running stats, eval forward and backward match the reference for x ${shape}`, async () => {
      const gpu = await testGpu();
      const seed = freshSeed();
      const c = shape[1];
      const n = shape.reduce((a, b) => a * b);
      const dims = dimsOf(shape);
      const xs = randn(n, seed, 2).map((v) => v + 1.5);
      const [gs, bs, dys] = [randn(c, seed + 1), randn(c, seed + 2), randn(n, seed + 3)];
      const [rm0, rv0] = [randn(c, seed + 4), randu(c, seed + 5, 0.5, 2)];
      if (relu) bs[0] = 0; // channel 0's pre-activation γ·x̂ has both signs: the mask always clamps something (random β alone clamped nothing in up to 3% of draws)
      const opts = { momentum: 0.1, eps: 1e-5, relu };
      const [x, g, b, dy, rm, rv] = [gpu.upload(xs, shape), gpu.upload(gs), gpu.upload(bs), gpu.upload(dys, shape), gpu.upload(rm0), gpu.upload(rv0)];
      const outs = { out: poisoned(gpu, shape), outMean: poisoned(gpu, [c]), outInvstd: poisoned(gpu, [c]) };
      const { y, mean, invstd } = batchnorm(gpu, x, g, b, rm, rv, { training: true, ...opts, ...outs });
      const ref = batchnormRef(xs, dims, gs, bs, { mean: rm0, var: rv0 }, { training: true, ...opts });
      const msg = `seed ${seed}`;
      expect(relErr(await gpu.download(y), ref.y), `y ${msg}`).toBeLessThan(2e-5);
      expect(relErr(await gpu.download(mean!), ref.mean), `mean ${msg}`).toBeLessThan(1e-5);
      expect(relErr(await gpu.download(invstd!), ref.invstd), `invstd ${msg}`).toBeLessThan(1e-5);
      expect(relErr(await gpu.download(rm), ref.runningMean), `running mean ${msg}`).toBeLessThan(1e-5);
      expect(relErr(await gpu.download(rv), ref.runningVar), `running var ${msg}`).toBeLessThan(1e-5);

      const yEval = batchnorm(gpu, x, g, b, rm, rv, { training: false, ...opts, out: poisoned(gpu, shape) }).y;
      const refEval = batchnormRef(xs, dims, gs, bs, { mean: ref.runningMean, var: ref.runningVar }, { training: false, ...opts });
      expect(relErr(await gpu.download(yEval), refEval.y), `eval y ${msg}`).toBeLessThan(2e-5);

      const grads = { out: poisoned(gpu, shape), outGamma: poisoned(gpu, [c]), outBeta: poisoned(gpu, [c]) };
      const { dx, dgamma, dbeta } = batchnormBackward(gpu, dy, x, g, mean!, invstd!, { ...grads, reluBeta: relu ? b : undefined });
      const bref = batchnormBackwardRef(dys, xs, dims, gs, opts.eps, relu ? bs : undefined);
      if (relu) expect(bref.dbeta.some((v, i) => Math.abs(v - dys.filter((_, k) => Math.floor(k / dims[2]) % c === i).reduce((a, d) => a + d, 0)) > 1e-6), 'the mask clamps something').toBe(true);
      expect(relErr(await gpu.download(dx), bref.dx), `dx ${msg}`).toBeLessThan(1e-4);
      expect(relErr(await gpu.download(dgamma), bref.dgamma), `dgamma ${msg}`).toBeLessThan(1e-4);
      expect(relErr(await gpu.download(dbeta), bref.dbeta), `dbeta ${msg}`).toBeLessThan(5e-5); // f32 sums of ~M masked terms
      for (const a of [x, g, b, dy, rm, rv, y, mean!, invstd!, yEval, dx, dgamma, dbeta]) gpu.free(a);
    });
  }

  for (const shape of [[4, 3, 6, 6], [4, 3, 5, 5]])
    it(`statistics stay accurate far from zero (x = 300 + N(0, 1), one pass) for x ${shape}`, async () => {
      const gpu = await testGpu();
      const seed = freshSeed();
      const c = shape[1];
      const xs = randn(shape.reduce((a, b) => a * b), seed).map((v) => v + 300);
      const [gs, bs] = [randn(c, seed + 1), randn(c, seed + 2)];
      const [x, g, b] = [gpu.upload(xs, shape), gpu.upload(gs), gpu.upload(bs)];
      const r = batchnorm(gpu, x, g, b, null, null, { training: true });
      const ref = batchnormRef(xs, dimsOf(shape), gs, bs, { mean: new Float64Array(c), var: new Float64Array(c) }, { training: true });
      expect(relErr(await gpu.download(r.mean!), ref.mean), `mean seed ${seed}`).toBeLessThan(1e-6);
      expect(relErr(await gpu.download(r.invstd!), ref.invstd), `invstd seed ${seed}`).toBeLessThan(1e-4);
      for (const a of [x, g, b, r.y, r.mean!, r.invstd!]) gpu.free(a);
    });

  for (const relu of [false, true])
  it(`dx and dgamma${relu ? ' of the fused ReLU' : ''} agree with central finite differences of the float64 training forward`, async () => {
    const gpu = await testGpu();
    const seed = freshSeed();
    const shape = [3, 2, 2, 2];
    const dims = dimsOf(shape);
    const xs = Float64Array.from(randn(24, seed));
    const gs = Float64Array.from(randn(2, seed + 1));
    const bs = randn(2, seed + 2);
    const dys = randn(24, seed + 3);
    const zero = { mean: [0, 0], var: [1, 1] };
    const loss = () => batchnormRef(xs, dims, gs, bs, zero, { training: true, relu }).y.reduce((s, v, i) => s + v * dys[i], 0);
    const x = gpu.upload(Float32Array.from(xs), shape);
    const g = gpu.upload(Float32Array.from(gs));
    const b = gpu.upload(bs);
    const { mean, invstd } = batchnorm(gpu, x, g, b, null, null, { training: true, relu });
    const r = batchnormBackward(gpu, gpu.upload(dys, shape), x, g, mean!, invstd!, { reluBeta: relu ? b : undefined });
    const [dx, dgamma] = [await gpu.download(r.dx), await gpu.download(r.dgamma)];
    const fd = (v: Float64Array, i: number) => {
      const v0 = v[i];
      v[i] = v0 + 1e-5;
      const up = loss();
      v[i] = v0 - 1e-5;
      const down = loss();
      v[i] = v0;
      return (up - down) / 2e-5;
    };
    for (const i of [0, 7, 13, 23]) expect(dx[i], `dx[${i}] seed ${seed}`).toBeCloseTo(fd(xs, i), 3);
    for (const i of [0, 1]) expect(dgamma[i], `dgamma[${i}] seed ${seed}`).toBeCloseTo(fd(gs, i), 3);
  });

  for (const [shape, k] of [[[3, 5, 11, 9], 2], [[2, 3, 7, 7], 3], [[1, 2, 5, 4], 1], [[2, 37, 14, 14], 2], [[3, 5, 6, 10], 2], [[3, 5, 7, 7], 'mean'], [[2, 4, 3, 5], 'mean']] as const)
    it(`eval batch norm + ReLU + ${poolName(k)} in one pass matches the reference for x ${shape}`, async () => {
      const gpu = await testGpu();
      const seed = freshSeed();
      const c = shape[1];
      const n = shape.reduce((a: number, b: number) => a * b, 1);
      const xs = randn(n, seed, 2);
      const [gs, bs, rm0, rv0] = [randn(c, seed + 1), randn(c, seed + 2), randn(c, seed + 3), randu(c, seed + 4, 0.5, 2)];
      [gs[0], bs[0], gs[1], bs[1]] = [0.1, -1, 0.1, 1]; // channel 0 clamped by the ReLU everywhere, channel 1 nowhere
      const [x, g, b, rm, rv] = [gpu.upload(xs, [...shape]), gpu.upload(gs), gpu.upload(bs), gpu.upload(rm0), gpu.upload(rv0)];
      const outShape = pooledShape(shape, k);
      const { y } = batchnormReluPool(gpu, x, g, b, rm, rv, { pool: k, out: poisoned(gpu, outShape) });
      expect(y.shape).toEqual(outShape);
      const ref = batchnormReluPoolRef(xs, shape, gs, bs, { mean: rm0, var: rv0 }, k).y;
      const got = await gpu.download(y);
      expect(relErr(got, ref), `seed ${seed}`).toBeLessThan(2e-5);
      expect(got.some((v) => v === 0) && got.some((v) => v > 0), 'the ReLU clamps some cells and passes others').toBe(true);
      for (const a of [x, g, b, rm, rv, y]) gpu.free(a);
    });

  for (const [shape, k] of [[[3, 5, 11, 9], 2], [[2, 3, 7, 8], 3], [[1, 2, 5, 4], 1], [[4, 37, 14, 14], 2], [[3, 5, 6, 10], 2], [[5, 6, 7, 7], 'mean'], [[3, 4, 4, 6], 'mean']] as const)
    it(`training batch norm + ReLU + ${poolName(k)}: forward, running stats and backward match the reference for x ${shape}`, async () => {
      const gpu = await testGpu();
      const seed = freshSeed();
      const c = shape[1];
      const n = shape.reduce((a: number, b: number) => a * b, 1);
      const outShape = pooledShape(shape, k);
      const cells = outShape.reduce((a, b) => a * b);
      const xs = randn(n, seed, 2);
      const [gs, bs, rm0, rv0, dys] = [randn(c, seed + 1), randn(c, seed + 2), randn(c, seed + 3), randu(c, seed + 4, 0.5, 2), randn(cells, seed + 5)];
      [gs[0], bs[0], gs[1], bs[1]] = [0.1, -1, 0.1, 1]; // channel 0 clamped by the ReLU everywhere, channel 1 nowhere
      const [x, g, b, rm, rv, dyg] = [gpu.upload(xs, [...shape]), gpu.upload(gs), gpu.upload(bs), gpu.upload(rm0), gpu.upload(rv0), gpu.upload(dys, outShape)];
      const f = batchnormReluPool(gpu, x, g, b, rm, rv, { pool: k, training: true, momentum: 0.2, out: poisoned(gpu, outShape), outMean: poisoned(gpu, [c]), outInvstd: poisoned(gpu, [c]) });
      const ref = batchnormReluPoolRef(xs, shape, gs, bs, { mean: rm0, var: rv0 }, k, { training: true, momentum: 0.2 });
      const got = await gpu.download(f.y);
      expect(relErr(got, ref.y), `y seed ${seed}`).toBeLessThan(2e-5);
      expect(got.some((v) => v === 0) && got.some((v) => v > 0), 'the ReLU clamps some cells and passes others').toBe(true);
      expect(relErr(await gpu.download(f.mean!), ref.mean), `mean seed ${seed}`).toBeLessThan(2e-5);
      expect(relErr(await gpu.download(f.invstd!), ref.invstd), `invstd seed ${seed}`).toBeLessThan(2e-5);
      expect(relErr(await gpu.download(rm), ref.runningMean), `running mean seed ${seed}`).toBeLessThan(2e-5);
      expect(relErr(await gpu.download(rv), ref.runningVar), `running var seed ${seed}`).toBeLessThan(2e-5);
      const r = batchnormReluPoolBackward(gpu, dyg, x, g, b, f.mean!, f.invstd!, { pool: k, out: poisoned(gpu, [...shape]), outGamma: poisoned(gpu, [c]), outBeta: poisoned(gpu, [c]) });
      const want = batchnormReluPoolBackwardRef(dys, xs, shape, gs, bs, k);
      const dx = await gpu.download(r.dx);
      expect(dx.every(Number.isFinite), 'every dx element written, those in no window too').toBe(true);
      expect(relErr(dx, want.dx), `dx seed ${seed}`).toBeLessThan(5e-5);
      expect(relErr(await gpu.download(r.dgamma), want.dgamma), `dgamma seed ${seed}`).toBeLessThan(5e-5);
      expect(relErr(await gpu.download(r.dbeta), want.dbeta), `dbeta seed ${seed}`).toBeLessThan(5e-5);
      for (const a of [x, g, b, rm, rv, dyg, f.y, f.mean!, f.invstd!, r.dx, r.dgamma, r.dbeta]) gpu.free(a);
    });

  it('rejects bad input with the kernel and argument named', async () => {
    const gpu = await testGpu();
    const x = gpu.empty([4, 3, 2, 2]);
    const c3 = gpu.empty([3]);
    expect(() => batchnorm(gpu, gpu.empty([4, 3, 2]), c3, c3, null, null, { training: true })).toThrow(KernelInputError);
    expect(() => batchnorm(gpu, gpu.empty([4, 3, 2]), c3, c3, null, null, { training: true })).toThrow(/batchnorm: argument 'x': must be \(N, C\) or \(N, C, H, W\)/);
    expect(() => batchnorm(gpu, x, gpu.empty([4]), c3, null, null, { training: true })).toThrow(/'gamma': must be f32 \[3\]/);
    expect(() => batchnorm(gpu, x, c3, c3, null, null, { training: false })).toThrow(/batchnorm.eval: argument 'runningMean': eval mode needs/);
    expect(() => batchnorm(gpu, x, c3, c3, c3, null, { training: true })).toThrow(/'runningVar': runningMean and runningVar come together/);
    expect(() => batchnorm(gpu, gpu.empty([1, 3]), c3, c3, null, null, { training: true })).toThrow(/more than 1 value per channel/);
    expect(() => batchnorm(gpu, x, c3, c3, null, null, { training: true, momentum: 2 })).toThrow(/'momentum'/);
    expect(() => batchnormBackward(gpu, gpu.empty([4, 3, 2, 1]), x, c3, c3, c3)).toThrow(/batchnorm.backward: argument 'dy'/);
    expect(() => batchnormReluPool(gpu, x, c3, c3, c3, c3, { pool: 3 })).toThrow(/batchnorm_relu_maxpool.eval: argument 'pool': a 3×3 window does not fit x \[4, 3, 2, 2\]/);
    expect(() => batchnormReluPool(gpu, gpu.empty([4, 3]), c3, c3, c3, c3, { pool: 1 })).toThrow(/argument 'x': must be \(N, C, H, W\)/);
    expect(() => batchnormReluPool(gpu, x, c3, c3, gpu.empty([2]), c3, { pool: 2 })).toThrow(/argument 'runningMean': must be f32 \[3\]/);
    expect(() => batchnormBackward(gpu, gpu.empty([4, 3, 2, 2]), x, c3, c3, c3, { reluBeta: gpu.empty([2]) })).toThrow(/batchnorm_relu.backward: argument 'reluBeta': must be f32 \[3\]/);
    expect(() => batchnormReluPool(gpu, x, c3, c3, null, null, { pool: 2 })).toThrow(/batchnorm_relu_maxpool.eval: argument 'runningMean': eval mode needs/);
    expect(() => batchnormReluPoolBackward(gpu, gpu.empty([4, 3, 2, 2]), x, c3, c3, c3, c3, { pool: 2 })).toThrow(/batchnorm_relu_maxpool.backward: argument 'dy': must be f32 \[4, 3, 1, 1\]/);
    expect(() => batchnormReluPoolBackward(gpu, gpu.empty([4, 3, 1, 1]), x, c3, c3, c3, c3, { pool: 'mean' })).toThrow(/batchnorm_relu_meanpool.backward: argument 'dy': must be f32 \[4, 3\]/);
    expect(() => batchnormReluPool(gpu, x, c3, c3, c3, c3, { pool: 1.5 })).toThrow(/argument 'pool': must be an integer ≥ 1 or 'mean', got 1.5/);
  });
});
