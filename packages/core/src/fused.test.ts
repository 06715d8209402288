import { freshSeed, randn, randu, relErr, testGpu } from '@pretext/gpu/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backend, batchNorm, batchNormReluPool, cpuBackend, globalAvgPool2d, maxPool2d, setBackend, type Storage, tensor, webgpuBackend } from './index.js';

type B = Backend<Storage>;
let gpuB: B;
const cpu = cpuBackend() as B;
beforeAll(async () => {
  gpuB = webgpuBackend(await testGpu()) as B;
});
afterAll(() => setBackend(cpu));
const composed = (y: ReturnType<typeof tensor>, pool: number | 'mean') => (pool === 'mean' ? globalAvgPool2d(y) : maxPool2d(y, pool));

describe('batchNormReluPool (eval)', () => {
  for (const [shape, k] of [[[3, 4, 9, 11], 2], [[2, 3, 7, 7], 3], [[3, 4, 5, 6], 'mean']] as const) {
    it(`equals pool(batchNorm(relu)) on webgpu and cpu for x ${shape}, pool ${k}`, async () => {
      const seed = freshSeed();
      const c = shape[1];
      const host = [randn(shape.reduce((a: number, b: number) => a * b, 1), seed), randn(c, seed + 1), randn(c, seed + 2), randn(c, seed + 3), randu(c, seed + 4, 0.5, 2)];
      const outs: Float32Array[] = [];
      for (const b of [gpuB, cpu]) {
        setBackend(b);
        const [x, w, bias, m, v] = host.map((h, i) => tensor(h, i === 0 ? [...shape] : [c]));
        const fused = batchNormReluPool(x, w, bias, m, v, k);
        const parts = composed(batchNorm(x, w, bias, m, v, { training: false, relu: true }), k);
        expect(fused.shape).toEqual(parts.shape);
        const [f, p] = [(await fused.data()) as Float32Array, (await parts.data()) as Float32Array];
        expect(relErr(f, p), `${b.name} seed ${seed}`).toBeLessThan(1e-6);
        outs.push(f);
      }
      expect(relErr(outs[0], outs[1]), `webgpu vs cpu, seed ${seed}`).toBeLessThan(2e-5);
    });
  }

  it('refuses bad shapes, naming the op', () => {
    setBackend(cpu);
    const x = tensor(randn(2 * 3 * 4 * 4, 1), [2, 3, 4, 4]);
    const [w, b, m, v] = [tensor([1, 1, 1]), tensor([0, 0, 0]), tensor([0, 0, 0]), tensor([1, 1, 1])];
    expect(() => batchNormReluPool(x, w, b, m, v, 5)).toThrow(/batchNormReluPool: pool 5 must be 'mean' or an integer in \[1, min\(H, W\)\]/);
    expect(() => batchNormReluPool(x, tensor([1, 1]), b, m, v, 2)).toThrow(/has 3 channels/);
    expect(() => batchNormReluPool(tensor([1, 2, 3]), w, b, m, v, 1)).toThrow(/x must be \(N, C, H, W\)/);
  });
});

describe('batchNormReluPool (training)', () => {
  for (const [shape, k] of [[[3, 4, 9, 11], 2], [[2, 3, 8, 7], 3], [[4, 3, 7, 7], 'mean']] as const) {
    it(`forward, running stats and gradients equal pool(batchNorm(relu)) on webgpu and cpu for x ${shape}, pool ${k}`, async () => {
      const seed = freshSeed();
      const c = shape[1];
      const host = [randn(shape.reduce((a: number, b: number) => a * b, 1), seed), randn(c, seed + 1), randn(c, seed + 2), randn(c, seed + 3), randu(c, seed + 4, 0.5, 2)];
      const results: Float32Array[][] = [];
      for (const be of [gpuB, cpu]) {
        setBackend(be);
        const run = async (fused: boolean) => {
          const [x, w, bias] = host.slice(0, 3).map((h, i) => tensor(h, i === 0 ? [...shape] : [c], { requiresGrad: true }));
          const [m, v] = host.slice(3).map((h) => tensor(h, [c]));
          const y = fused ? batchNormReluPool(x, w, bias, m, v, k, { training: true }) : composed(batchNorm(x, w, bias, m, v, { training: true, relu: true }), k);
          const dy = tensor(randn(y.size, seed + 5), y.shape);
          y.mul(dy).sum().backward();
          return Promise.all([y, x.grad!, w.grad!, bias.grad!, m, v].map(async (t) => (await t.data()) as Float32Array));
        };
        const [f, p] = [await run(true), await run(false)];
        ['y', 'dx', 'dweight', 'dbias', 'running mean', 'running var'].forEach((name, i) => expect(relErr(f[i], p[i]), `${be.name} ${name} seed ${seed}`).toBeLessThan(2e-5));
        results.push(f);
      }
      results[0].forEach((g, i) => expect(relErr(g, results[1][i]), `webgpu vs cpu [${i}] seed ${seed}`).toBeLessThan(5e-5));
    });
  }
});
