// One owner per GPU buffer: every model, built, trained a step with its optimizer and disposed 20
// times, leaves the pool's live-buffer count flat; Module.dispose alone returns it to where it was.
import { adamw, crossEntropy, noGrad, type Tensor, tensor, tidy, useWebGpu } from '@pretext/core';
import { expectNoLeak } from '@pretext/core/testing';
import type { Gpu } from '@pretext/gpu';
import { randn } from '@pretext/gpu/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConvNet, Init, MLP, type Module, projectionHead, ResNet, Transformer, type TransformerConfig } from './index.js';

let gpu: Gpu;
beforeAll(async () => {
  gpu = (await useWebGpu()).gpu;
});

interface Case {
  build(init: Init): Module;
  /** A forward pass on fresh input, reduced to a loss. */
  loss(m: Module, seed: number): Tensor;
}

const images = (n: number, c: number, s: number, seed: number) => tensor(randn(n * c * s * s, seed), [n, c, s, s]);
const sq = (y: Tensor) => y.square().mean();
const tiny = (causal: boolean, positions: 'learned' | 'sinusoidal'): TransformerConfig => ({ vocab: 11, maxLen: 8, dim: 8, heads: 2, layers: 2, causal, positions, dropout: 0.1 });
const lm = (cfg: TransformerConfig): Case => ({
  build: (init) => new Transformer(init, cfg),
  loss: (m, seed) => {
    const t = m as Transformer;
    const ids = tensor(Int32Array.from({ length: 2 * 6 }, (_, i) => (i * 7 + seed) % 11), [2, 6]);
    const mask = tensor(Int32Array.from({ length: 2 * 6 }, (_, i) => (i % 6 < 5 ? 1 : 0)), [2, 6]);
    return crossEntropy(t.logits(t.forward(ids, cfg.causal ? undefined : mask)).reshape([12, 11]), ids.reshape([12]));
  },
});

const CASES: Record<string, Case> = {
  'ConvNet (width 4)': { build: (i) => new ConvNet(i, 1, 4), loss: (m, s) => sq((m as ConvNet).forward(images(2, 1, 28, s))) },
  'ConvNet (grid 2, downsample 2)': { build: (i) => new ConvNet(i, 3, 4, { grid: 2, downsample: 2 }), loss: (m, s) => sq((m as ConvNet).forward(images(2, 3, 56, s))) },
  'ResNet (width 4, stages 1, 2)': { build: (i) => new ResNet(i, { inChannels: 3, width: 4, stages: [1, 2] }), loss: (m, s) => sq((m as ResNet).forward(images(2, 3, 8, s))) },
  'Transformer (learned positions, padding mask)': lm(tiny(false, 'learned')),
  'Transformer (sinusoidal, causal)': lm(tiny(true, 'sinusoidal')),
  MLP: { build: (i) => new MLP(i, [6, 8, 8, 3]), loss: (m, s) => sq((m as MLP).forward(tensor(randn(4 * 6, s), [4, 6]))) },
  'MLP with batch norm': { build: (i) => new MLP(i, [6, 8, 3], { batchNorm: true }), loss: (m, s) => sq((m as MLP).forward(tensor(randn(4 * 6, s), [4, 6]))) },
  'projection head': { build: (i) => projectionHead(i, 6, 8, 4), loss: (m, s) => sq((m as MLP).forward(tensor(randn(4 * 6, s), [4, 6]))) },
};

describe('Module.dispose', () => {
  for (const [name, c] of Object.entries(CASES)) {
    it(`${name}: build, a training step, an eval forward, dispose ×20 leaves the live-buffer count flat`, async () => {
      await expectNoLeak(gpu, async (i) => {
        const m = c.build(new Init(i));
        const opt = adamw(m.namedParameters(), { lr: 1e-3 }, { clipNorm: 1 });
        tidy(() => {
          c.loss(m, i).backward();
          opt.update();
        });
        m.eval();
        const y = noGrad(() => tidy(() => c.loss(m, i + 1)));
        expect(Number.isFinite(await y.item()), name).toBe(true);
        y.dispose();
        opt.dispose();
        m.dispose();
      }, 20, name);
    });

    it(`${name}: dispose frees every parameter and buffer`, () => {
      const before = gpu.stats();
      const m = c.build(new Init(1));
      const held = [...m.stateDict().values()];
      expect(gpu.stats().liveBuffers - before.liveBuffers).toBe(held.length);
      m.dispose();
      m.dispose(); // idempotent
      expect(held.every((t) => t.disposed)).toBe(true);
      expect(gpu.stats().liveBuffers).toBe(before.liveBuffers);
      expect(gpu.stats().liveBytes).toBe(before.liveBytes);
    });
  }
});
