import { useWebGpu } from '@pretext/core';
import { expectNoLeak } from '@pretext/core/testing';
import { EntryLoader, loadFortunes, NUM_SPECIAL, StreamLoader, textSubset, type TokenBatch } from '@pretext/data';
import { beforeAll, describe, expect, it } from 'vitest';
import { entryTargets, generate, gpt, loadTextSplits, mlm, mlmSimcse, sampleToken, type Task, TASKS, type TextEncoder, type TextSplits } from './node.js';

let gpu: Awaited<ReturnType<typeof useWebGpu>>['gpu'];
let gpuStats: () => { buffersCreated: number; pipelinesCreated: number };
let splits: TextSplits;
beforeAll(async () => {
  const b = await useWebGpu();
  gpu = b.gpu;
  gpuStats = () => b.gpu.stats();
  const all = loadFortunes();
  splits = loadTextSplits({ dataset: 'fortunes', tokenizer: 'char', vocabSize: 2048, trainLimit: 300, testLimit: 50 }, textSubset(all, Int32Array.from({ length: 4000 }, (_, i) => i * 3)));
});

const SMALL = { batchSize: 8, context: 32, layers: 1, heads: 2, dim: 32, warmupSteps: 0, lr: 3e-3, weightDecay: 0 };

async function learns(task: Task<'text'>, batch: TokenBatch, extra: Record<string, unknown>, steps: number) {
  const state = task.build(task.config('fortunes', 'quick', { ...SMALL, ...extra }), splits.train);
  const losses: number[] = [];
  let after1 = { buffersCreated: 0, pipelinesCreated: 0 };
  for (let s = 0; s < steps; s++) {
    const m = await state.step(batch, 0, 1000);
    losses.push(m.loss);
    expect(Number.isFinite(m.loss) && m.accuracy >= 0 && m.accuracy <= 1, JSON.stringify(m)).toBe(true);
    if (s === 1) after1 = gpuStats();
  }
  const end = gpuStats();
  state.dispose();
  return { losses, newBuffers: end.buffersCreated - after1.buffersCreated, newPipelines: end.pipelinesCreated - after1.pipelinesCreated };
}

describe('language tasks', () => {
  it('are registered for fortunes', () => {
    expect(Object.keys(TASKS)).toEqual(expect.arrayContaining(['gpt', 'mlm', 'mlm-simcse']));
    expect(gpt.datasets).toEqual(['fortunes']);
  });

  it('gpt alone has a large preset; asking another task for one names the valid presets', () => {
    expect(gpt.presetsOf('fortunes')).toEqual(['quick', 'full', 'large']);
    expect(mlm.presetsOf('fortunes')).toEqual(['quick', 'full']);
    expect(gpt.presetsOf('emoji')).toEqual([]);
    const large = gpt.config('fortunes', 'large');
    const full = gpt.config('fortunes', 'full');
    expect(large.layers * large.context).toBeGreaterThan(full.layers * full.context);
    expect(() => mlm.config('fortunes', 'large')).toThrow(/--preset large: mlm has no large preset for fortunes; valid: quick, full/);
  });

  it('gpt starts near ln(vocab), learns a fixed batch of stream windows, allocates nothing in steady state', async () => {
    const batch = new StreamLoader(splits.train, 8, { seed: 1, context: 32 }).batch(0, 0);
    for (const tieWeights of [true, false]) {
      const r = await learns(gpt, batch, { tieWeights, dropout: 0 }, 15);
      expect(Math.abs(r.losses[0] - Math.log(splits.tokenizer.vocabSize)), `tie ${tieWeights}`).toBeLessThan(0.5);
      expect(r.losses[14]).toBeLessThan(r.losses[0] - 1.5);
      expect([r.newBuffers, r.newPipelines]).toEqual([0, 0]);
    }
    // entry rows: next-token targets, [PAD] ignored
    const rows = entryTargets(new EntryLoader(splits.train, 8, { seed: 1, context: 32, overflow: 'truncate' }).batch(0, 0));
    const r = await learns(gpt, rows, { packing: 'entries', dropout: 0 }, 10);
    expect(r.losses[9]).toBeLessThan(r.losses[0] - 1);
  });

  it('mlm learns a fixed batch (masked positions only, padding masked), allocates nothing in steady state', async () => {
    const batch = new EntryLoader(splits.train, 8, { seed: 1, context: 32, overflow: 'truncate' }).batch(0, 0);
    const r = await learns(mlm, batch, { dropout: 0 }, 15);
    expect(Math.abs(r.losses[0] - Math.log(splits.tokenizer.vocabSize))).toBeLessThan(0.5);
    expect(r.losses[14]).toBeLessThan(r.losses[0] - 1.5);
    expect([r.newBuffers, r.newPipelines]).toEqual([0, 0]);
  });

  it('mlm reads the rest of the row: each row one random symbol repeated, a masked token is predicted from the others, far above chance', async () => {
    // the only way past 1/K is attention to the other positions: every row is a fresh draw of K symbols
    const [B, T, K] = [16, 32, 8];
    const cfg = mlm.config('fortunes', 'quick', { ...SMALL, batchSize: B, dropout: 0, lr: 1e-2 });
    const state = mlm.build(cfg, splits.train);
    let seed = 12345;
    const draw = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return NUM_SPECIAL + 10 + ((seed >>> 16) % K);
    };
    const batch = (): TokenBatch => {
      const ids = new Int32Array(B * T);
      for (let r = 0; r < B; r++) ids.fill(draw(), r * T, (r + 1) * T);
      return { ids, shape: [B, T], keep: new Int32Array(B * T).fill(1), labels: new Int32Array(B).fill(-1), index: new Int32Array(B) };
    };
    const acc: number[] = [];
    for (let s = 0; s < 60; s++) acc.push((await state.step(batch(), s, 60)).accuracy);
    state.dispose();
    const late = acc.slice(-10).reduce((a, b) => a + b, 0) / 10;
    expect(late, `masked top-1 over the last 10 steps (chance ${1 / K})`).toBeGreaterThan(0.6);
  });

  it('mlm-simcse learns both objectives on one encoder', async () => {
    const batch = new EntryLoader(splits.train, 8, { seed: 1, context: 32, overflow: 'truncate' }).batch(0, 0);
    const state = mlmSimcse.build(mlmSimcse.config('fortunes', 'quick', { ...SMALL, dropout: 0.1 }), splits.train);
    expect(Object.keys(state.modules)).toEqual(['encoder']);
    const rows: Record<string, number>[] = [];
    let after1 = { buffersCreated: 0 };
    for (let s = 0; s < 12; s++) {
      rows.push(await state.step(batch, 0, 1000));
      if (s === 1) after1 = gpuStats();
    }
    expect(gpuStats().buffersCreated - after1.buffersCreated).toBe(0);
    const [first, last] = [rows[0], rows[11]];
    expect(Object.keys(first)).toEqual(expect.arrayContaining(['loss', 'mlm.loss', 'mlm.accuracy', 'simcse.loss', 'simcse.accuracy', 'simcse.embeddingStd']));
    expect(Math.abs(first.loss - first['mlm.loss'] - first['simcse.loss'])).toBeLessThan(1e-3);
    expect(last['mlm.loss']).toBeLessThan(first['mlm.loss'] - 0.4);
    expect(last.loss).toBeLessThan(first.loss - 0.5);
    expect(last['simcse.loss']).toBeLessThan(first['simcse.loss']);
    state.dispose();
  });

  it('checks the architecture and the masking budget before building', () => {
    expect(() => mlm.build(mlm.config('fortunes', 'quick', { dim: 30, heads: 4 }), splits.train)).toThrow(/--heads 4 must divide --dim 30/);
    expect(() => gpt.build(gpt.config('fortunes', 'quick', { dim: 512, heads: 2 }), splits.train)).toThrow(/head size 256/);
    expect(() => mlm.build(mlm.config('fortunes', 'quick', { batchSize: 512, context: 128 }), splits.train)).toThrow(/--batch-size 512 × --context 128 = 65536 tokens/);
    expect(() => gpt.config('fortunes', 'quick', { tokenizer: 'word' })).toThrow(/--tokenizer must be one of char, bpe, got 'word'/);
    // SimCSE's views differ only by dropout
    expect(() => mlmSimcse.build(mlmSimcse.config('fortunes', 'quick', { dropout: 0 }), splits.train)).toThrow(/--dropout 0 leaves SimCSE two identical views/);
    expect(() => mlmSimcse.build(mlmSimcse.config('fortunes', 'quick', { ...SMALL, dropout: 0, simcseWeight: 0 }), splits.train).dispose()).not.toThrow();
  });

  it('generation with the KV cache equals full recomputation; sampling is seeded; a masked LM refuses', async () => {
    const state = gpt.build(gpt.config('fortunes', 'quick', { ...SMALL, context: 48 }), splits.train);
    const batch = new StreamLoader(splits.train, 8, { seed: 1, context: 48 }).batch(0, 0);
    for (let s = 0; s < 5; s++) await state.step(batch, s, 1000); // away from the init
    const net = (state.encoder as TextEncoder).net;
    const head = (h: Parameters<typeof net.logits>[0]) => net.logits(h);
    const prompt = splits.tokenizer.encode('The ');
    for (const temperature of [0, 1]) {
      const cached = await generate(net, head, prompt, { tokens: 40, temperature, seed: 9 });
      const full = await generate(net, head, prompt, { tokens: 40, temperature, seed: 9, cache: false });
      expect(Array.from(cached), `temperature ${temperature}`).toEqual(Array.from(full));
      expect(cached.length).toBe(40);
    }
    // past the context the cache restarts from the last half of the window: still runs
    expect((await generate(net, head, prompt, { tokens: 60, temperature: 1, seed: 2 })).length).toBe(60);
    state.dispose();
    const m = mlm.build(mlm.config('fortunes', 'quick', SMALL), splits.train);
    const enc = m.encoder as TextEncoder;
    await expect(generate(enc.net, (h) => enc.net.logits(h), prompt, { tokens: 3, temperature: 1, seed: 0 })).rejects.toThrow(/bidirectional \(masked LM\)/);
    m.dispose();
    expect(sampleToken([0, 5, 1], 0, undefined, 0.9)).toBe(1);
    expect(sampleToken([0, 5, 4, -9], 1, 2, 0.999)).toBe(2); // top-2: only ids 1 and 2
  });

  it('building, stepping and disposing every language task 20 times leaves the pool flat', async () => {
    const stream = new StreamLoader(splits.train, 8, { seed: 1, context: 32 }).batch(0, 0);
    const entries = new EntryLoader(splits.train, 8, { seed: 1, context: 32, overflow: 'truncate' }).batch(0, 0);
    for (const task of Object.values(TASKS)) {
      if (task.modality !== 'text') continue;
      const t = task as Task<'text'>;
      const cfg = t.config('fortunes', 'quick', SMALL);
      const batch = t.id === 'gpt' ? stream : entries;
      await expectNoLeak(gpu, async () => {
        const s = t.build(cfg, splits.train);
        await s.step(batch, 0, 10);
        s.dispose();
      }, 20, `${t.id} build + step + dispose`);
    }
  });
});
