// Fine-tuning on a tiny Fashion-MNIST set: it trains a copy (the evaluated encoder is unchanged,
// nothing leaks), scratch is the same protocol from the random init, and an encoder that already
// knows the task fine-tunes far above scratch at equal labels and steps.
import { type Tensor, useWebGpu } from '@pretext/core';
import { expectNoLeak } from '@pretext/core/testing';
import { loadFashionMnist, subset } from '@pretext/data';
import { destroyGpu, type Gpu } from '@pretext/gpu';
import { ConvNet, Init } from '@pretext/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baselines } from './baselines.js';
import { type EvalData, evaluate, rawPixels } from './evaluate.js';
import { copyWeights, FINETUNE_AUGMENTATION, FINETUNE_DEFAULTS, fineTune, type FineTuneOptions, SCRATCH, trainableCopy } from './finetune.js';
import { fewLabelSubset } from './few-label.js';
import { classifierTop1, trainClassifier, trainSupervised } from './supervised.js';

let gpu: Gpu;
let data: EvalData;
const factory = (init: Init) => new ConvNet(init, 1, 4);
const small: FineTuneOptions = { fractions: [0.1], epochs: 2, minSteps: 6, batchSize: 16 };

beforeAll(async () => {
  gpu = (await useWebGpu()).gpu;
  const all = loadFashionMnist('train', { limit: 640 });
  const range = (lo: number, n: number) => Array.from({ length: n }, (_, i) => lo + i);
  data = { name: 'fashion-mnist', train: subset(all, range(0, 480)), test: subset(all, range(480, 160)) };
});
afterAll(destroyGpu);

const values = async (ts: Iterable<[string, Tensor]>) => Promise.all([...ts].map(async ([k, t]) => [k, Array.from(await t.data())] as const));

describe('fineTune', () => {
  it('trains a copy: the evaluated encoder keeps its weights, statistics and mode; nothing leaks', async () => {
    const enc = factory(new Init(5)).eval();
    const before = await values(enc.stateDict());
    await expectNoLeak(gpu, async (i) => {
      const [r] = await fineTune(enc, factory, data.train, data.test, { ...small, seed: i });
      expect(r.labelled).toBe(fewLabelSubset(data.train.labels, 0.1, 0).length);
      expect(r.steps).toBeGreaterThanOrEqual(6);
      expect(r.top1).toBeGreaterThan(0);
    }, 3, 'fineTune');
    expect(await values(enc.stateDict())).toEqual(before);
    expect(enc.training).toBe(false);
    enc.dispose();
  });

  it('the copy starts from the encoder (parameters and BatchNorm statistics), in tensors of its own', async () => {
    const src = factory(new Init(1));
    await trainSupervised(factory, data.train, { epochs: 1, lr: 1e-2, seed: 1, batchSize: 32 }).then(({ encoder }) => {
      copyWeights(src, encoder); // running statistics that are not the init's
      encoder.dispose();
    });
    const copy = trainableCopy(src, factory, 99);
    expect(await values(copy.stateDict())).toEqual(await values(src.stateDict()));
    const fresh = factory(new Init(99));
    expect(await values(copy.stateDict())).not.toEqual(await values(fresh.stateDict()));
    for (const [k, t] of copy.stateDict()) expect(t).not.toBe(src.stateDict().get(k));
    expect(() => copyWeights(new ConvNet(new Init(0), 1, 8), src)).toThrow(/copyWeights: 'blocks\.0\.conv\.weight' is \[4,1,3,3\] in the source and \[8,1,3,3\]/);
    for (const m of [src, copy, fresh]) m.dispose();
  });

  it('an encoder lr scale of 0 leaves the encoder parameters where they started (param groups end to end)', async () => {
    const enc = factory(new Init(2));
    const before = await values(enc.namedParameters());
    const { head } = await trainClassifier(enc, data.train, { epochs: 1, lr: 1e-2, seed: 2, batchSize: 32, encoderLrScale: 0 });
    expect(await values(enc.namedParameters())).toEqual(before);
    head.dispose();
    enc.dispose();
  });

  it('scratch = the same protocol from the random init at the full lr; a pretrained encoder beats it at equal labels', async () => {
    // "pretrained": the backbone trained on every train label (an encoder that knows the task)
    const { encoder: pretrained } = await trainSupervised(factory, data.train, { epochs: 4, lr: 1e-2, seed: 3, batchSize: 32 });
    const ft: FineTuneOptions = { fractions: [0.05], epochs: 2, minSteps: 20, batchSize: 16, seed: 3 };
    const [ours] = await fineTune(pretrained, factory, data.train, data.test, ft);
    const [randomInit] = await baselines(factory, data, { fineTune: ft }, { seed: 3, which: ['random-init'], supervised: { epochs: 1, lr: 1e-3 } });
    const [scratch] = randomInit.fineTune ?? [];
    // the baseline's fine-tune is a fresh network from Init(seed), trained with the encoder at lr × 1
    expect(scratch.encoderLrScale).toBe(SCRATCH.encoderLrScale);
    expect(ours.encoderLrScale).toBe(FINETUNE_DEFAULTS.encoderLrScale);
    const net = factory(new Init(3));
    const labelled = subset(data.train, fewLabelSubset(data.train.labels, 0.05, 0));
    const { head } = await trainClassifier(net, labelled, { ...FINETUNE_DEFAULTS, ...ft, ...SCRATCH, augmentation: FINETUNE_AUGMENTATION });
    expect(scratch.top1).toBe(await classifierTop1(net, head, data.test));
    head.dispose();
    net.dispose();
    expect(ours.labelled).toBe(scratch.labelled);
    expect(ours.steps).toBe(scratch.steps);
    expect(ours.top1, `pretrained ${ours.top1} vs scratch ${scratch.top1}`).toBeGreaterThan(scratch.top1 + 0.1);
    pretrained.dispose();
  });

  it('raw pixels cannot be fine-tuned: a clear error', async () => {
    await expect(evaluate('raw pixels', rawPixels, data, { fineTune: true })).rejects.toThrow(/fineTune needs an encoder and opts\.factory/);
  });
});
