import { freshSeed, randn, relErr, rng, testGpu } from '@pretext/gpu/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backend, type CpuStorage, cpuBackend, mul, noGrad, setBackend, type Storage, sum, type Tensor, tensor, webgpuBackend } from '../index.js';
import { CASES, type InputSpec, type OpCase } from './cases.js';

type B = Backend<Storage>;
let gpuB: B;
const cpu32 = cpuBackend() as B;
const cpu64 = cpuBackend({ float64: true }) as B;

beforeAll(async () => {
  gpuB = webgpuBackend(await testGpu()) as B;
});
afterAll(() => setBackend(cpu32));

function hostInputs(specs: InputSpec[], seed: number): (Float32Array | Int32Array)[] {
  const r = rng(seed);
  return specs.map((s, k) => {
    const n = s.shape.reduce((a, b) => a * b, 1);
    if (s.int) return Int32Array.from({ length: n }, () => Math.floor(r() * (s.int as number)));
    const x = randn(n, seed + k + 1);
    return s.positive ? x.map((v) => Math.abs(v) + 0.5) : x;
  });
}

/** out, and dL/dinput for L = Σ out ⊙ w (w fixed random), on one backend. */
async function run(b: B, c: OpCase, host: (Float32Array | Int32Array)[], seed: number) {
  setBackend(b);
  const xs = c.inputs.map((s, k) => tensor(host[k], s.shape, { requiresGrad: !s.int && !s.constant && !c.forwardOnly }));
  const out = c.f(...xs);
  if (c.forwardOnly) {
    const o = await out.data();
    for (const t of [...xs, out]) t.dispose();
    return { out: o, grads: xs.map(() => null) };
  }
  const w = tensor(randn(out.size, seed + 99), out.shape);
  const loss = sum(mul(out, w));
  loss.backward();
  const o = await out.data();
  const grads = await Promise.all(xs.map((x) => (x.grad ? x.grad.data() : null)));
  for (const t of [...xs, out, w, loss]) t.dispose();
  return { out: o, grads };
}

describe('every op: webgpu == cpu, forward and backward', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const seed = freshSeed();
      const host = hostInputs(c.inputs, seed);
      const g = await run(gpuB, c, host, seed);
      const r = await run(cpu32, c, host, seed);
      const tol = c.tol ?? 2e-5;
      expect(relErr(g.out, r.out), `forward, seed ${seed}`).toBeLessThan(tol);
      g.grads.forEach((gg, k) => {
        if (!gg || !r.grads[k]) return expect(gg === null).toBe(r.grads[k] === null);
        expect(relErr(gg, r.grads[k] as ArrayLike<number>), `grad of input ${k}, seed ${seed}`).toBeLessThan(tol * 5);
      });
    });
  }
});

describe('gradients == central finite differences (cpu, float64)', () => {
  for (const c of CASES.filter((k) => !k.nonSmooth && !k.forwardOnly)) {
    it(c.name, async () => {
      const seed = freshSeed();
      const host = hostInputs(c.inputs, seed);
      setBackend(cpu64);
      const xs = c.inputs.map((s, k) => tensor(host[k], s.shape, { requiresGrad: !s.int && !s.constant }));
      const w = (() => {
        const o = noGrad(() => c.f(...xs));
        const t = tensor(randn(o.size, seed + 99), o.shape);
        o.dispose();
        return t;
      })();
      const L = () => noGrad(() => (c.f(...xs) as Tensor).mul(w).sum().storage as CpuStorage).data[0];
      const loss = sum(mul(c.f(...xs), w));
      loss.backward();
      const r = rng(seed);
      xs.forEach((x, k) => {
        if (!x.requiresGrad) return;
        const data = (x.storage as CpuStorage).data;
        const analytic = (x.grad?.storage as CpuStorage).data;
        const idx = Array.from({ length: Math.min(12, data.length) }, () => Math.floor(r() * data.length));
        const num = idx.map((i) => {
          const h = 1e-6 * Math.max(1, Math.abs(data[i]));
          const v = data[i];
          data[i] = v + h;
          const lp = L();
          data[i] = v - h;
          const lm = L();
          data[i] = v;
          return (lp - lm) / (2 * h);
        });
        expect(relErr(idx.map((i) => analytic[i]), num), `input ${k}, seed ${seed}`).toBeLessThan(1e-4);
      });
    });
  }
});
