import { KernelInputError } from '@pretext/gpu';
import { freshSeed, poisoned, randn, randu, relErr, testGpu } from '@pretext/gpu/testing';
import { describe, expect, it } from 'vitest';
import { batchnorm, batchnormBackward } from './batchnorm.js';
import { batchnormBackwardRef, batchnormRef } from './batchnorm.ref.js';

const dimsOf = (s: number[]): [number, number, number] => [s[0], s[1], (s[2] ?? 1) * (s[3] ?? 1)];

describe('batchnorm', () => {
  // (with 2 values per channel xhat = ±1 whatever x is, so dx ≈ 0 and relative error is meaningless)
  for (const shape of [[3, 5, 11, 11], [7, 5], [2, 3, 13, 1], [1, 3, 1, 3], [300, 2]]) {
    it(`training forward, running stats, eval forward and backward match the reference for x ${shape}`, async () => {
      const gpu = await testGpu();
      const seed = freshSeed();
      const c = shape[1];
      const n = shape.reduce((a, b) => a * b);
      const dims = dimsOf(shape);
      const xs = randn(n, seed, 2).map((v) => v + 1.5);
      const [gs, bs, dys] = [randn(c, seed + 1), randn(c, seed + 2), randn(n, seed + 3)];
      const [rm0, rv0] = [randn(c, seed + 4), randu(c, seed + 5, 0.5, 2)];
      const opts = { momentum: 0.1, eps: 1e-5 };
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
      const { dx, dgamma, dbeta } = batchnormBackward(gpu, dy, x, g, mean!, invstd!, grads);
      const bref = batchnormBackwardRef(dys, xs, dims, gs, opts.eps);
      expect(relErr(await gpu.download(dx), bref.dx), `dx ${msg}`).toBeLessThan(1e-4);
      expect(relErr(await gpu.download(dgamma), bref.dgamma), `dgamma ${msg}`).toBeLessThan(1e-4);
      expect(relErr(await gpu.download(dbeta), bref.dbeta), `dbeta ${msg}`).toBeLessThan(1e-5);
      for (const a of [x, g, b, dy, rm, rv, y, mean!, invstd!, yEval, dx, dgamma, dbeta]) gpu.free(a);
    });
  }

  it('dx and dgamma agree with central finite differences of the float64 training forward', async () => {
    const gpu = await testGpu();
    const seed = freshSeed();
    const shape = [3, 2, 2, 2];
    const dims = dimsOf(shape);
    const xs = Float64Array.from(randn(24, seed));
    const gs = Float64Array.from(randn(2, seed + 1));
    const bs = randn(2, seed + 2);
    const dys = randn(24, seed + 3);
    const zero = { mean: [0, 0], var: [1, 1] };
    const loss = () => batchnormRef(xs, dims, gs, bs, zero, { training: true }).y.reduce((s, v, i) => s + v * dys[i], 0);
    const x = gpu.upload(Float32Array.from(xs), shape);
    const g = gpu.upload(Float32Array.from(gs));
    const { mean, invstd } = batchnorm(gpu, x, g, gpu.upload(bs), null, null, { training: true });
    const r = batchnormBackward(gpu, gpu.upload(dys, shape), x, g, mean!, invstd!);
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

  it('rejects bad input with the kernel and argument named', async () => {
    const gpu = await testGpu();
    const x = gpu.empty([4, 3, 2, 2]);
    const c3 = gpu.empty([3]);
    expect(() => batchnorm(gpu, gpu.empty([4, 3, 2]), c3, c3, null, null, { training: true })).toThrow(KernelInputError);
    expect(() => batchnorm(gpu, gpu.empty([4, 3, 2]), c3, c3, null, null, { training: true })).toThrow(/batchnorm: argument 'x': must be \(N, C\) or \(N, C, H, W\)/);
    expect(() => batchnorm(gpu, x, gpu.empty([4]), c3, null, null, { training: true })).toThrow(/'gamma': must have shape \[3\]/);
    expect(() => batchnorm(gpu, x, c3, c3, null, null, { training: false })).toThrow(/batchnorm.eval: argument 'runningMean': eval mode needs/);
    expect(() => batchnorm(gpu, x, c3, c3, c3, null, { training: true })).toThrow(/'runningVar': runningMean and runningVar come together/);
    expect(() => batchnorm(gpu, gpu.empty([1, 3]), c3, c3, null, null, { training: true })).toThrow(/more than 1 value per channel/);
    expect(() => batchnorm(gpu, x, c3, c3, null, null, { training: true, momentum: 2 })).toThrow(/'momentum'/);
    expect(() => batchnormBackward(gpu, gpu.empty([4, 3, 2, 1]), x, c3, c3, c3)).toThrow(/batchnorm.backward: argument 'dy'/);
  });
});
