import type { Gpu } from '@pretext/gpu';
import { randn, testGpu } from '@pretext/gpu/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Optimizer, setBackend, sum, type Tensor, tensor, tidy, webgpuBackend } from '../index.js';
import { expectNoLeak } from '../testing.js';
import { adam, adamw, lars, sgd } from './optimizer.js';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await testGpu();
  setBackend(webgpuBackend(gpu));
});

type Make = (p: [string, Tensor][]) => Optimizer;
const KINDS: [string, Make][] = [
  ['sgd', (p) => sgd(p, { lr: 0.1 })],
  ['sgd momentum + nesterov', (p) => sgd(p, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 })],
  ['adam', (p) => adam(p, { lr: 0.01 })],
  ['adamw', (p) => adamw(p, { lr: 0.01 })],
  ['adamw + clip', (p) => adamw(p, { lr: 0.01 }, { clipNorm: 0.5 })],
  ['lars', (p) => lars(p, { lr: 0.1 })],
  ['lars + clip', (p) => lars(p, { lr: 0.1 }, { clipNorm: 1 })],
];

/** Parameters of a tiny linear model (out outputs) and one step of min Σ (x·Wᵀ + b)² on them. */
function params(seed: number, out = 5): [string, Tensor][] {
  return [
    ['w', tensor(randn(out * 3, seed), [out, 3], { requiresGrad: true })],
    ['b', tensor(randn(out, seed + 1), [out], { requiresGrad: true })],
  ];
}
function step(opt: Optimizer, [[, w], [, b]]: [string, Tensor][], seed: number): void {
  tidy(() => {
    const x = tensor(randn(7 * 3, seed), [7, 3]);
    sum(x.matmul(w, { transB: true, bias: b }).square()).backward();
    opt.update();
  });
}

describe('Optimizer.dispose', () => {
  for (const [name, make] of KINDS) {
    it(`${name}: build, two steps, dispose ×20 leaves the live-buffer count flat`, async () => {
      await expectNoLeak(gpu, async (i) => {
        const p = params(i);
        const opt = make(p);
        step(opt, p, i);
        step(opt, p, i + 1);
        await p[0][1].data(); // wait for the queued work, as a training loop does
        opt.dispose();
        for (const [, t] of p) t.dispose();
      }, 20, name);
    });
  }

  it('a different model each round (the evaluation of `pretext compare`): nothing stays behind', async () => {
    // 2 to 21 parameters: a new segment layout every round
    await expectNoLeak(gpu, async (i) => {
      const p = [...params(i, 1 + 100 * i), ...Array.from({ length: i }, (_, k) => [`extra${k}`, tensor(randn(3, k), [3], { requiresGrad: true })] as [string, Tensor])];
      const opt = lars(p, { lr: 0.1 });
      step(opt, p, i);
      await p[0][1].data();
      opt.dispose();
      for (const [, t] of p) t.dispose();
    }, 20, 'models of growing size');
  });

  it('parameters outlive the optimizer; the flat buffer goes with the last of arena and views', async () => {
    const p = params(3);
    const before = gpu.stats().liveBuffers;
    const opt = adamw(p, { lr: 0.01 });
    step(opt, p, 4);
    const values = Array.from(await p[0][1].data());
    opt.dispose();
    opt.dispose(); // idempotent
    expect(Array.from(await p[0][1].data())).toEqual(values); // still readable
    expect(() => opt.update()).toThrow(/adam\)\.update: the optimizer was disposed/);
    // the originals went back to the pool when the params moved into the arena; the flat buffer remains
    expect(gpu.stats().liveBuffers).toBe(before - 2 + 1);
    for (const [, t] of p) t.dispose();
    expect(gpu.stats().liveBuffers).toBe(before - 2);
  });

  it('expectNoLeak fails on a round that forgets to dispose', async () => {
    const leaky = () => {
      const p = params(1);
      const opt = sgd(p, { lr: 0.1, momentum: 0.9 });
      step(opt, p, 2);
      opt.arena.dispose(); // frees the arena's reference but not the gradients or the momentum
      for (const [, t] of p) t.dispose();
    };
    await expect(expectNoLeak(gpu, leaky, 3, 'leaky')).rejects.toThrow(/leaky leaks: after round 2 of 3[\s\S]*buffers: (\d+), \d+, \d+/);
  });
});
