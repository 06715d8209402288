import { randn, relErr, testGpu } from '@pretext/gpu/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Backend, cpuBackend, setBackend, type Storage, sum, type Tensor, tensor, webgpuBackend } from '../index.js';
import { adamw, lars, Optimizer, sgd } from './optimizer.js';
import { warmupCosine } from './schedule.js';

let gpuB: Backend<Storage>;
beforeAll(async () => {
  gpuB = webgpuBackend(await testGpu()) as Backend<Storage>;
});

type Make = (p: [string, Tensor][]) => Optimizer;
const OPTIMIZERS: [string, Make][] = [
  ['sgd nesterov', (p) => sgd(p, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 })],
  ['adamw + clip', (p) => adamw(p, { lr: 0.05, weightDecay: 0.1 }, { clipNorm: 0.5 })],
  ['lars', (p) => lars(p, { lr: 0.5, weightDecay: 1e-3 })],
];

/** Three steps of min Σ (W·x + b − y)² on one backend; returns the final parameters. */
async function train(b: Backend<Storage>, make: Make, seed: number) {
  setBackend(b);
  const w = tensor(randn(15, seed), [5, 3], { requiresGrad: true });
  const bias = tensor(randn(5, seed + 1), [5], { requiresGrad: true });
  const x = tensor(randn(3 * 7, seed + 2), [7, 3]);
  const y = tensor(randn(5 * 7, seed + 3), [7, 5]);
  const opt = make([['w', w], ['b', bias]]);
  expect(opt.segments.map((g) => g.weightDecay)).toEqual([1, 0]); // the bias (rank 1) gets no decay
  for (let i = 0; i < 3; i++) {
    sum(x.matmul(w, { transB: true, bias }).sub(y).square()).backward();
    opt.update();
  }
  return [await w.data(), await bias.data()];
}

describe('optimizers over a flat parameter arena', () => {
  for (const [name, make] of OPTIMIZERS) {
    it(`${name}: webgpu == cpu reference after 3 steps; biases excluded from decay`, async () => {
      const seed = 17;
      const [gw, gb] = await train(gpuB, make, seed);
      const [cw, cb] = await train(cpuBackend() as Backend<Storage>, make, seed);
      expect(relErr(gw, cw)).toBeLessThan(1e-5);
      expect(relErr(gb, cb)).toBeLessThan(1e-5);
    });
  }

  for (const [name, make] of OPTIMIZERS) {
    it(`${name} with per-parameter lr scales (w × 0.3, bias frozen): webgpu == cpu; the bias stays`, async () => {
      const seed = 29;
      const scaled: Make = (p) => {
        const o = make(p);
        const opt = new Optimizer(o.kind, p, o.hyper, { ...o.opts, lrScale: (n) => (n === 'w' ? 0.3 : 0) });
        o.dispose();
        return opt;
      };
      const [gw, gb] = await train(gpuB, scaled, seed);
      const [cw, cb] = await train(cpuBackend() as Backend<Storage>, scaled, seed);
      expect(relErr(gw, cw)).toBeLessThan(1e-5);
      expect(Array.from(gb)).toEqual(Array.from(randn(5, seed + 1))); // scale 0: never moves
      expect(Array.from(cb)).toEqual(Array.from(randn(5, seed + 1)));
    });
  }

  it('lr scale s on a parameter = the lr multiplied by s for it (plain SGD, one step); bad scales are errors', async () => {
    setBackend(gpuB);
    const stepOnce = async (lr: number, scale: number) => {
      const p = tensor(Float32Array.from([2, -1, 0.5]), [3], { requiresGrad: true });
      const opt = sgd([['p', p]], { lr }, { lrScale: () => scale });
      sum(p.square()).backward(); // g = 2p
      opt.update();
      const out = Array.from(await p.data());
      opt.dispose();
      p.dispose();
      return out;
    };
    expect(relErr(await stepOnce(0.1, 0.25), await stepOnce(0.025, 1))).toBeLessThan(1e-7);
    expect(relErr(await stepOnce(0.1, 0.25), [2 - 0.05 * 2, -1 + 0.05, 0.5 - 0.025 / 2 * 2])).toBeLessThan(1e-6);
    const p = tensor(Float32Array.from([1]), [1], { requiresGrad: true });
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => sgd([['p', p]], { lr: 0.1 }, { lrScale: () => bad })).toThrow(/lr scale of 'p' must be finite and ≥ 0/);
    p.dispose();
  });

  it('adamw fits a linear map', async () => {
    setBackend(gpuB);
    const truth = randn(6, 5);
    const x = tensor(randn(64 * 3, 6), [64, 3]);
    const y = x.matmul(tensor(truth, [3, 2]));
    const w = tensor(new Float32Array(6), [3, 2], { requiresGrad: true });
    const opt = adamw([['w', w]], { lr: 0.05, weightDecay: 0 });
    let loss = 0;
    for (let i = 0; i < 150; i++) {
      const l = x.matmul(w).sub(y).square().mean();
      l.backward();
      opt.update();
      if (i === 149) loss = await l.item();
    }
    expect(loss).toBeLessThan(1e-3);
  });

  it('adamw decays rank > 1 parameters by default; decay: () => true decays all, as torch.optim.AdamW', async () => {
    setBackend(gpuB);
    // one step on L = Σ c ⊙ p: Adam's first step is lr·g/(|g| + ε) ≈ lr·sign(g), then p·(1 − lr·wd) first
    const c = tensor(Float32Array.from([3, -0.5]), [2]);
    const stepOnce = async (opts: { decay?: () => boolean }) => {
      const p = tensor(Float32Array.from([2, -1]), [2], { requiresGrad: true });
      const opt = adamw([['bias', p]], { lr: 0.1, weightDecay: 0.5 }, opts);
      sum(p.mul(c)).backward();
      opt.update();
      const out = Array.from(await p.data());
      opt.dispose();
      p.dispose();
      return out;
    };
    const near = (got: number[], want: number[]) => expect(relErr(got, want)).toBeLessThan(1e-6);
    near(await stepOnce({}), [2 - 0.1, -1 + 0.1]); // a rank-1 parameter: no decay
    near(await stepOnce({ decay: () => true }), [2 * (1 - 0.05) - 0.1, -1 * (1 - 0.05) + 0.1]);
    c.dispose();
  });

  it('warmup then cosine', () => {
    expect(warmupCosine(0, 100, 1, { warmup: 10 })).toBeCloseTo(0.1);
    expect(warmupCosine(9, 100, 1, { warmup: 10 })).toBeCloseTo(1);
    expect(warmupCosine(55, 100, 1, { warmup: 10 })).toBeCloseTo(0.5);
    expect(warmupCosine(100, 100, 1, { warmup: 10 })).toBeCloseTo(0);
  });
});
