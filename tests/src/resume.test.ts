// Across packages: a real SimCLR run (data → GPU augmentation → ConvNet → fused NT-Xent → AdamW)
// stopped, checkpointed, and resumed in a fresh model gives the same loss curve as not stopping.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Tensor, useWebGpu } from '@pretext/core';
import { loadCheckpoint, restoreInto, saveCheckpoint } from '@pretext/core/checkpoint';
import { ImageLoader, loadFashionMnist } from '@pretext/data';
import { simclr, type TrainState } from '@pretext/tasks';
import { beforeAll, describe, expect, it } from 'vitest';

beforeAll(async () => {
  await useWebGpu();
});

const data = loadFashionMnist('test', { limit: 96 });
const cfg = { ...simclr.config('fashion-mnist', 'quick'), batchSize: 32, width: 4, projHidden: 16, projDim: 8, warmupSteps: 2, seed: 3 };
const loader = new ImageLoader(data, 32, { seed: cfg.seed });
const TOTAL = 6;

function tensors(s: TrainState): Map<string, Tensor> {
  const m = new Map<string, Tensor>();
  for (const [prefix, mod] of Object.entries(s.modules)) for (const [n, t] of mod.stateDict()) m.set(`${prefix}.${n}`, t);
  const T = [...m.values()][0].constructor as new (st: unknown, b: unknown) => Tensor;
  for (const [n, st] of s.optimizer.stateTensors()) m.set(n, new T(st, s.optimizer.arena.backend));
  return m;
}

async function steps(s: TrainState, from: number, to: number): Promise<number[]> {
  const out: number[] = [];
  for (let k = from; k < to; k++) out.push((await s.step(loader.batch(Math.floor(k / 3), k % 3), k, TOTAL)).loss);
  return out;
}

describe('SimCLR resume', () => {
  it('continues the same loss curve after a checkpoint round trip', async () => {
    const straight = simclr.build(cfg, data);
    const curve = await steps(straight, 0, TOTAL);
    straight.dispose();

    const first = simclr.build(cfg, data);
    const dir = mkdtempSync(join(tmpdir(), 'pretext-resume-'));
    const head = await steps(first, 0, 3);
    await saveCheckpoint(dir, tensors(first), { step: 3, optimizerStep: first.optimizer.step });
    first.dispose();

    const second = simclr.build(cfg, data);
    const ck = await loadCheckpoint(dir);
    restoreInto(ck, tensors(second));
    second.optimizer.step = ck.meta.optimizerStep as number;
    const tail = await steps(second, 3, TOTAL);
    second.dispose();

    expect(curve[TOTAL - 1]).toBeLessThan(curve[0]);
    expect([...head, ...tail].map((v) => v.toFixed(5))).toEqual(curve.map((v) => v.toFixed(5)));
  });
});
