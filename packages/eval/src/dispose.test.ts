// One owner per GPU buffer: every protocol, and a whole evaluation with its baselines (what
// `pretext compare` repeats per model in one process), run again and again leaves the pool's
// live-buffer count flat.
import { useWebGpu } from '@pretext/core';
import { expectNoLeak } from '@pretext/core/testing';
import { loadFashionMnist, subset } from '@pretext/data';
import { destroyGpu, type Gpu } from '@pretext/gpu';
import { ConvNet, Init } from '@pretext/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alignmentUniformity } from './align-uniform.js';
import { baselines } from './baselines.js';
import { type EvalData, evaluate, type Protocols } from './evaluate.js';
import { extractFeatures } from './features.js';
import { fewLabel } from './few-label.js';
import { knn } from './knn.js';
import { linearProbe } from './linear-probe.js';
import { rankMe } from './rankme.js';
import { retrievalRecallAt1 } from './retrieval.js';
import { trainSupervised } from './supervised.js';
import { clusters } from './synthetic.test-util.js';

let gpu: Gpu;
beforeAll(async () => {
  gpu = (await useWebGpu()).gpu;
});
afterAll(destroyGpu);

describe('evaluation frees what it allocates', () => {
  it('each protocol run 20× on features', async () => {
    const train = clusters(120, 4, 12, 1);
    const test = clusters(40, 4, 12, 2, 4, train.centres);
    await expectNoLeak(gpu, async (i) => {
      await linearProbe(train.f, train.labels, test.f, test.labels, { epochs: 2, seed: i });
      await linearProbe(train.f, train.labels, test.f, test.labels, { epochs: 1, optimizer: 'sgd', seed: i });
      await knn(train.f, train.labels, test.f, test.labels, { k: 5, chunk: 16 });
      await fewLabel(train.f, train.labels, test.f, test.labels, { epochs: 1, fractions: [0.1, 0.5], seed: i });
      await alignmentUniformity(test.f, test.f);
      await rankMe(test.f);
      await retrievalRecallAt1(test.f, test.f, { chunk: 16 });
    }, 20, 'protocols');
  });

  it('features from an encoder that fails part-way leave nothing behind', async () => {
    const images = loadFashionMnist('test', { limit: 8 });
    await expectNoLeak(gpu, async (i) => {
      const enc = new ConvNet(new Init(i), 1, 4);
      Object.assign(enc, { featureDim: 15 }); // the forward returns 16 features: caught after the first batch
      await expect(extractFeatures(enc, images, { batchSize: 4 })).rejects.toThrow(/expected \[4, 15\]/);
      enc.dispose();
    }, 5, 'failing feature extraction');
  });

  it('a dozen models in one process: evaluate + the three baselines, a new encoder each round', async () => {
    const all = loadFashionMnist('train', { limit: 128 });
    const range = (lo: number, n: number) => Array.from({ length: n }, (_, i) => lo + i);
    const data: EvalData = {
      name: 'fashion-mnist',
      train: subset(all, range(0, 96)),
      test: subset(all, range(96, 32)),
      pairs: { a: subset(all, range(96, 32)), b: subset(all, range(96, 32)), description: 'identity' },
    };
    const protocols: Protocols = { linear: { epochs: 1 }, knn: { k: 5 }, fewLabel: { epochs: 1, fractions: [0.25] }, alignUniform: true, rankMe: true, retrieval: true };
    const factory = (init: Init) => new ConvNet(init, 1, 4);
    await expectNoLeak(gpu, async (i) => {
      const { encoder } = await trainSupervised(factory, data.train, { epochs: 1, lr: 1e-3, seed: 10 + i, batchSize: 32 });
      await extractFeatures(encoder, data.test, { batchSize: 20 });
      await evaluate('model', encoder, data, protocols);
      encoder.dispose();
      const reports = await baselines(factory, data, protocols, { seed: i, supervised: { epochs: 1, lr: 1e-3, batchSize: 32 } });
      expect(reports).toHaveLength(3);
    }, 4, 'evaluation with baselines');
  });
});
