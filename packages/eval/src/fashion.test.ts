// Real data: the protocols and baselines on a small Fashion-MNIST slice.
import { useWebGpu } from '@pretext/core';
import { loadFashionMnist, subset } from '@pretext/data';
import { destroyGpu } from '@pretext/gpu';
import { ConvNet } from '@pretext/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baselines } from './baselines.js';
import { type EvalData, evaluate, rawPixels } from './evaluate.js';
import { extractFeatures } from './features.js';
import { reportTable } from './table.js';

beforeAll(async () => {
  await useWebGpu();
});
afterAll(destroyGpu);

describe('Fashion-MNIST', () => {
  it('raw-pixel linear probe on 2000 images is well above chance', async () => {
    const train = loadFashionMnist('train', { limit: 2000 });
    const test = loadFashionMnist('test', { limit: 1000 });
    const r = await evaluate('raw pixels', rawPixels, { name: 'fashion-mnist', train, test }, { linear: { epochs: 15 }, knn: true });
    expect(r.featureDim).toBe(784);
    expect(r.linear?.top1).toBeGreaterThan(0.7); // chance 0.1
    expect(r.knn?.top1).toBeGreaterThan(0.65);
  });

  it('baselines run every protocol through one code path (tiny ConvNet)', async () => {
    const all = loadFashionMnist('train', { limit: 320 });
    const data: EvalData = {
      name: 'fashion-mnist',
      train: subset(all, Array.from({ length: 256 }, (_, i) => i)),
      test: subset(all, Array.from({ length: 64 }, (_, i) => 256 + i)),
      // a trivially aligned pair set: each image with itself
      pairs: { a: subset(all, Array.from({ length: 64 }, (_, i) => i)), b: subset(all, Array.from({ length: 64 }, (_, i) => i)), description: 'identity' },
    };
    const factory = (init: ConstructorParameters<typeof ConvNet>[0]) => new ConvNet(init, 1, 4);
    const reports = await baselines(factory, data, { linear: { epochs: 3 }, knn: { k: 20 }, fewLabel: { epochs: 3, fractions: [0.1] }, alignUniform: true, rankMe: true, retrieval: true }, {
      seed: 1,
      supervised: { epochs: 1, lr: 3e-3, batchSize: 64 },
    });
    expect(reports.map((r) => r.model.split(' ')[0])).toEqual(['raw', 'random', 'supervised']);
    for (const r of reports) {
      expect(r.linear?.top1).toBeGreaterThan(0);
      expect(r.fewLabel?.[0].labelled).toBe(30); // 10% of 256 over the classes present, same count each
      expect(r.alignUniform?.alignment).toBeLessThan(1e-5);
      expect(r.retrieval?.recallAt1).toBeGreaterThan(0.9);
      expect(r.rankMe).toBeGreaterThan(1);
      expect(r.rankMe).toBeLessThanOrEqual(r.featureDim + 1e-6);
    }
    expect(reports[1].featureDim).toBe(16);
    const table = reportTable(reports);
    expect(table).toContain('random init');
    expect(table.split('\n')).toHaveLength(6);
    expect(JSON.parse(JSON.stringify(reports))).toEqual(reports);
  });

  it('extractFeatures matches one batch, restores train mode, rejects a bad batch size', async () => {
    const ds = loadFashionMnist('test', { limit: 10 });
    const enc = new ConvNet(new (await import('@pretext/models')).Init(3), 1, 4);
    const a = await extractFeatures(enc, ds, { batchSize: 3 });
    const b = await extractFeatures(enc, ds, { batchSize: 10 });
    expect(enc.training).toBe(true);
    let maxDiff = 0;
    for (let i = 0; i < a.values.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a.values[i] - b.values[i]));
    expect(maxDiff).toBeLessThan(1e-5);
    await expect(extractFeatures(enc, ds, { batchSize: 0 })).rejects.toThrow(/batchSize must be a positive integer/);
    enc.dispose();
  });
});
