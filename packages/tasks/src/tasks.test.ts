import { useWebGpu } from '@pretext/core';
import { expectNoLeak } from '@pretext/core/testing';
import { ImageLoader, loadEmoji, loadFashionMnist } from '@pretext/data';
import { beforeAll, describe, expect, it } from 'vitest';
import { moco, OBJECTIVES, simclr, type Task, TASKS } from './index.js';
import { twoViews } from './views.js';

let gpu: Awaited<ReturnType<typeof useWebGpu>>['gpu'];
let gpuStats: () => { buffersCreated: number; pipelinesCreated: number };
beforeAll(async () => {
  gpu = (await useWebGpu()).gpu;
  gpuStats = () => gpu.stats();
});

const data = loadFashionMnist('test', { limit: 64 });

const SMALL = { batchSize: 16, width: 4, projHidden: 16, projDim: 8, warmupSteps: 0, lr: 1e-2 };

async function run(task: Task<'image'>, extra: Record<string, unknown>, steps: number, small: Record<string, unknown> = SMALL) {
  const cfg = task.config('fashion-mnist', 'quick', { ...small, ...extra });
  const state = task.build(cfg, data);
  const batch = new ImageLoader(data, 16, { seed: 1 }).batch(0, 0);
  const losses: number[] = [];
  let after1 = { buffersCreated: 0, pipelinesCreated: 0 };
  for (let s = 0; s < steps; s++) {
    // the same images every step, same augmentation seed: the loss must go down
    const m = await state.step(batch, 0, 1000);
    losses.push(m.loss);
    expect(Number.isFinite(m.loss) && m.accuracy >= 0 && m.accuracy <= 1 && (m.embeddingStd === undefined || m.embeddingStd > 0)).toBe(true);
    if (s === 1) after1 = gpuStats();
  }
  const end = gpuStats();
  return { state, losses, newBuffers: end.buffersCreated - after1.buffersCreated, newPipelines: end.pipelinesCreated - after1.pipelinesCreated };
}

describe('tasks', () => {
  it('registers its methods', () => {
    expect(Object.keys(TASKS).sort()).toEqual(['colorization', 'context', 'gpt', 'hybrid', 'jigsaw', 'mlm', 'mlm-simcse', 'moco', 'rotation', 'simclr']);
    expect(Object.keys(OBJECTIVES).sort()).toEqual(['colorization', 'context', 'jigsaw', 'moco', 'rotation', 'simclr']);
  });

  it('SimCLR starts near ln(2N − 1), learns a batch, and allocates nothing in steady state', async () => {
    const r = await run(simclr, {}, 12);
    expect(Math.abs(r.losses[0] - Math.log(31))).toBeLessThan(0.6);
    expect(r.losses[11]).toBeLessThan(r.losses[0] - 0.3);
    expect(r.newBuffers).toBe(0);
    expect(r.newPipelines).toBe(0);
    r.state.dispose();
  });

  it('MoCo learns a batch, fills its queue with keys, and its key encoder moves by EMA', async () => {
    const r = await run(moco, { queueSize: 32, momentum: 0.9 }, 10);
    expect(r.losses[9]).toBeLessThan(r.losses[0]);
    const queue = r.state.extraState().get('queue');
    expect(queue?.shape).toEqual([32, 8]);
    const key = r.state.modules.keyEncoder.parameters()[0];
    const query = r.state.modules.encoder.parameters()[0];
    const [kq, qq] = [await key.data(), await query.data()];
    let diff = 0;
    for (let i = 0; i < kq.length; i++) diff += Math.abs(kq[i] - qq[i]);
    expect(diff).toBeGreaterThan(0); // lags behind the query encoder…
    expect(diff / kq.length).toBeLessThan(0.5); // …but follows it
    expect(r.newBuffers).toBe(0);
    r.state.dispose();
  });

  it('twoViews: rows n and N + n are image n twice, or image n and its partner', async () => {
    const identity = { name: 'identity', description: 'no augmentation' };
    const paired = { ...data, partner: Int32Array.from({ length: 64 }, (_, i) => 63 - i) };
    const batch = new ImageLoader(paired, 8, { seed: 3 }).batch(0, 1);
    const per = 28 * 28;
    const image = (i: number) => paired.images.subarray(i * per, (i + 1) * per);
    for (const pairs of [false, true]) {
      const v = await twoViews(batch, paired, identity, { seed: 5, pairs }).data();
      for (let k = 0; k < 8; k++) {
        const first = batch.index[k];
        const second = pairs ? 63 - first : first;
        for (const [row, img] of [[k, first], [8 + k, second]]) {
          const want = image(img);
          let err = 0;
          for (let p = 0; p < per; p++) err = Math.max(err, Math.abs(v[row * per + p] - want[p]));
          expect(err, `pairs ${pairs}, row ${row}`).toBeLessThan(1e-5);
        }
      }
    }
    // the partners travel with the batch: a batch of another paired set (held-out data) pairs within that set
    const reversed = { ...data, partner: Int32Array.from({ length: 64 }, (_, i) => i ^ 1) };
    const other = new ImageLoader(reversed, 8, { seed: 3 }).batch(0, 1);
    const v = await twoViews(other, paired, identity, { seed: 5, pairs: true }).data();
    const want = image(other.index[0] ^ 1);
    for (let p = 0; p < per; p++) expect(Math.abs(v[8 * per + p] - want[p])).toBeLessThan(1e-5);
    const unpaired = new ImageLoader(data, 8, { seed: 3 }).batch(0, 1);
    expect(() => twoViews(unpaired, data, identity, { seed: 5, pairs: true })).toThrow(/has no natural positive pairs/);
  });

  it('SimCLR with partner pairs learns a batch', async () => {
    const paired = { ...data, partner: Int32Array.from({ length: 64 }, (_, i) => i ^ 1) };
    const cfg = simclr.config('fashion-mnist', 'quick', { ...SMALL, pairs: true });
    const state = simclr.build(cfg, paired);
    const batch = new ImageLoader(paired, 16, { seed: 1 }).batch(0, 0);
    const losses: number[] = [];
    for (let s = 0; s < 10; s++) losses.push((await state.step(batch, 0, 1000)).loss);
    expect(losses[9]).toBeLessThan(losses[0] - 0.3);
    state.dispose();
  });

  it('rejects a queue that is not a multiple of the batch, and pairs on data without partners, before building', () => {
    const cfg = moco.config('fashion-mnist', 'quick', { batchSize: 16, queueSize: 40 });
    expect(() => moco.build(cfg, data)).toThrow(/--queue-size 40 must be a multiple of --batch-size 16/);
    expect(() => simclr.check(simclr.config('fashion-mnist', 'quick', { pairs: true }), data)).toThrow(/--pairs: .* has no natural positive pairs/);
  });

  it('validates configs through the schema: unknown options, out-of-range values, wrong datasets', () => {
    expect(() => simclr.config('fashion-mnist', 'quick', { tau: 0 })).toThrow(/--tau must be a finite number > 0 and ≤ 10, got 0/);
    expect(() => simclr.config('fashion-mnist', 'quick', { epochs: -1 })).toThrow(/--epochs must be an integer ≥ 1, got -1/);
    expect(() => simclr.config('fashion-mnist', 'quick', { optimizer: 'adamw2' })).toThrow(/--optimizer must be one of adamw, lars, sgd, got 'adamw2'/);
    expect(() => simclr.config('fashion-mnist', 'quick', { queueSize: 8 })).toThrow(/unknown option 'queueSize'/);
    expect(() => simclr.config('cifar', 'quick')).toThrow(/simclr does not train on 'cifar'; valid: fashion-mnist, emoji/);
    const saved = { ...simclr.config('emoji', 'full'), lr: Number.NaN };
    expect(() => simclr.parse(saved, 'checkpoint x.json')).toThrow(/checkpoint x.json: --lr must be .*, got null/);
    expect(() => moco.parse(simclr.config('emoji', 'full'), 'checkpoint y.json')).toThrow(/config is for task 'simclr', not 'moco'/);
    // presets over defaults, overrides over presets
    const cfg = simclr.config('emoji', 'quick', { tau: 0.1 });
    expect([cfg.epochs, cfg.batchSize, cfg.pairs, cfg.tau, cfg.projDim]).toEqual([8, 128, true, 0.1, 64]);
  });
});

describe('heldOut', () => {
  it("means the objective's metrics over held-out batches without changing a parameter or a running statistic", async () => {
    const cfg = simclr.config('fashion-mnist', 'quick', SMALL);
    const state = simclr.build(cfg, data);
    const loader = new ImageLoader(data, 16, { seed: 1 });
    await state.step(loader.batch(0, 0), 0, 10);
    const snapshot = async () => Promise.all([state.optimizer.arena.flat, ...[...state.encoder.stateDict().values()].map((t) => t.storage)].map((s) => state.optimizer.arena.backend.download(s)));
    const before = await snapshot();
    const batches = [loader.batch(1, 0), loader.batch(1, 1)];
    const m = await state.heldOut(batches, 5);
    expect(Object.keys(m).sort()).toEqual(['accuracy', 'embeddingStd', 'loss']);
    expect(m.accuracy >= 0 && m.accuracy <= 1 && Number.isFinite(m.loss)).toBe(true);
    expect(await state.heldOut(batches, 5)).toEqual(m); // seeded: the same augmentations again
    expect((await snapshot()).map((a) => Array.from(a))).toEqual(before.map((a) => Array.from(a)));
    expect(state.encoder.training).toBe(true);
    await expect(state.heldOut([])).rejects.toThrow(/no batches/);
    state.dispose();
  });
});

describe('one owner per GPU buffer', () => {
  it('building, stepping and disposing every task 20 times leaves the pool flat', async () => {
    const colour = loadEmoji({ limit: 16 }).google; // colorization needs colour
    const head = { batchSize: 16, width: 4, hidden: 16, warmupSteps: 0, lr: 1e-2 };
    const small: Record<string, Record<string, unknown>> = {
      simclr: SMALL, moco: { ...SMALL, queueSize: 32 }, rotation: head, jigsaw: { ...head, permutations: 10 }, context: head,
      colorization: { batchSize: 16, width: 4, decoderWidth: 8, warmupSteps: 0 },
      hybrid: { batchSize: 16, width: 4, warmupSteps: 0, simclrProjHidden: 16, simclrProjDim: 8, rotationHidden: 16 },
    };
    for (const task of Object.values(TASKS)) {
      if (task.modality !== 'image') continue;
      const [dataset, images] = task.id === 'colorization' ? ['emoji', colour] : ['fashion-mnist', data];
      const cfg = task.config(dataset, 'quick', small[task.id]);
      const batch = new ImageLoader(images, 16, { seed: 1 }).batch(0, 0);
      await expectNoLeak(gpu, async () => {
        const s = task.build(cfg, images);
        await s.step(batch, 0, 10);
        await s.pretextExamples?.(batch);
        s.dispose();
      }, 20, `${task.id} build + step + examples + dispose`);
    }
  });
});
