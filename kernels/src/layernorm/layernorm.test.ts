import { KernelInputError } from '@pretext/gpu';
import { freshSeed, poisoned, randn, relErr, testGpu } from '@pretext/gpu/testing';
import { describe, expect, it } from 'vitest';
import { layernorm, layernormBackward } from './layernorm.js';
import { layernormBackwardRef, layernormRef } from './layernorm.ref.js';

/** max over rows of max |x| · rstd: how much f32 rounding of x is amplified in x̂ = (x − mean) · rstd. */
function condition(xs: Float32Array, rstd: ArrayLike<number>, d: number): number {
  let worst = 0;
  for (let r = 0; r < rstd.length; r++) {
    for (let j = 0; j < d; j++) worst = Math.max(worst, Math.abs(xs[r * d + j]) * rstd[r]);
  }
  return worst;
}

describe('layernorm', () => {
  for (const shape of [[1, 1], [3, 5, 13], [7, 64], [130, 257], [2000, 3]]) {
    it(`forward and backward match the reference for x ${shape}`, async () => {
      const gpu = await testGpu();
      const seed = freshSeed();
      const d = shape[shape.length - 1];
      const n = shape.reduce((a, b) => a * b);
      const lead = shape.slice(0, -1);
      // an offset mean checks the two-pass variance
      const xs = randn(n, seed, 2).map((v) => v + 3);
      const ws = randn(d, seed + 1);
      const bs = randn(d, seed + 2);
      const dys = randn(n, seed + 3);
      const eps = 1e-5;
      const [x, w, b, dy] = [gpu.upload(xs, shape), gpu.upload(ws), gpu.upload(bs), gpu.upload(dys, shape)];
      const outs = { out: poisoned(gpu, shape), outMean: poisoned(gpu, lead), outRstd: poisoned(gpu, lead) };
      const { y, mean, rstd } = layernorm(gpu, x, w, b, { eps, ...outs });
      const grads = { out: poisoned(gpu, shape), outWeight: poisoned(gpu, [d]), outBias: poisoned(gpu, [d]) };
      const { dx, dweight, dbias } = layernormBackward(gpu, dy, x, w, mean, rstd, grads);
      const ref = layernormRef(xs, ws, bs, d, eps);
      const bref = layernormBackwardRef(dys, xs, ws, d, eps);
      // f32 centring loses u·|x| (u = 6e-8), which rstd scales to u·cond, cond = max |x| / std of a row:
      // rows of 3 drawn from N(3, 2²) reach cond ≈ 400, so the bounds of x̂'s outputs grow past cond 100
      const cond = condition(xs, ref.rstd, d);
      const slack = Math.max(1, cond / 100);
      const msg = `seed ${seed}, cond ${cond.toFixed(0)}`;
      expect(relErr(await gpu.download(y), ref.y), `y ${msg}`).toBeLessThan(1e-5 * slack);
      expect(relErr(await gpu.download(mean), ref.mean), `mean ${msg}`).toBeLessThan(1e-5);
      expect(relErr(await gpu.download(rstd), ref.rstd), `rstd ${msg}`).toBeLessThan(1e-4 * slack);
      expect(relErr(await gpu.download(dx), bref.dx), `dx ${msg}`).toBeLessThan(1e-4 * slack);
      expect(relErr(await gpu.download(dweight), bref.dweight), `dweight ${msg}`).toBeLessThan(1e-4 * slack);
      expect(relErr(await gpu.download(dbias), bref.dbias), `dbias ${msg}`).toBeLessThan(1e-5);
      for (const a of [x, w, b, dy, y, mean, rstd, dx, dweight, dbias]) gpu.free(a);
    });
  }

  it('dx agrees with central finite differences of the float64 forward', async () => {
    const gpu = await testGpu();
    const seed = freshSeed();
    const d = 6;
    const xs = Float64Array.from(randn(3 * d, seed));
    const ws = randn(d, seed + 1);
    const bs = randn(d, seed + 2);
    const dys = randn(3 * d, seed + 3);
    const loss = () => layernormRef(xs, ws, bs, d).y.reduce((s, v, i) => s + v * dys[i], 0);
    const x = gpu.upload(Float32Array.from(xs), [3, d]);
    const w = gpu.upload(ws);
    const { mean, rstd } = layernorm(gpu, x, w, gpu.upload(bs));
    const dx = await gpu.download(layernormBackward(gpu, gpu.upload(dys, [3, d]), x, w, mean, rstd).dx);
    const h = 1e-5;
    for (const i of [0, 5, 11, 17]) {
      const v = xs[i];
      xs[i] = v + h;
      const up = loss();
      xs[i] = v - h;
      const down = loss();
      xs[i] = v;
      expect(dx[i], `dx[${i}] seed ${seed}`).toBeCloseTo((up - down) / (2 * h), 3);
    }
  });

  it('rejects bad input with the kernel and argument named', async () => {
    const gpu = await testGpu();
    const x = gpu.empty([4, 8]);
    const w = gpu.empty([8]);
    expect(() => layernorm(gpu, x, gpu.empty([7]), w)).toThrow(KernelInputError);
    expect(() => layernorm(gpu, x, gpu.empty([7]), w)).toThrow(/layernorm: argument 'weight': must be f32 \[8\]/);
    expect(() => layernorm(gpu, gpu.empty([4, 0]), w, w)).toThrow(/'x': empty tensor/);
    expect(() => layernorm(gpu, x, w, w, { eps: -1 })).toThrow(/'eps'/);
    expect(() => layernorm(gpu, x, w, w, { outMean: gpu.empty([5]) })).toThrow(/'outMean': must be f32 \[4\]/);
    expect(() => layernormBackward(gpu, gpu.empty([4, 7]), x, w, gpu.empty([4]), gpu.empty([4]))).toThrow(/layernorm.backward: argument 'dy'/);
    expect(() => layernormBackward(gpu, x, x, w, gpu.empty([4]), gpu.upload(new Int32Array(4)))).toThrow(/'rstd': dtype must be f32/);
  });
});
