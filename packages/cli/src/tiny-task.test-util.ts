// A real, tiny task for the trainer's and compare's tests (independent of the SSL tasks' timing): a
// linear encoder on flattened pixels and a linear classifier, trained with cross-entropy on the labels.
import { classification, relu, type Tensor, tensor } from '@pretext/core';
import type { Batch } from '@pretext/data';
import { Init, Linear, Module } from '@pretext/models';
import { DatasetError, defineTask, embeddingStd, int, type Objective, simclrAugmentation, type Task, trainObjectives, trainingOptions } from '@pretext/tasks';

class FlatEncoder extends Module {
  fc: Linear;
  constructor(init: Init, inFeatures: number, readonly featureDim: number) {
    super();
    this.fc = new Linear(init, inFeatures, featureDim);
  }
  forward(x: Tensor): Tensor {
    return this.fc.forward(x.reshape([x.shape[0], -1])); // (N, C·H·W) → (N, D)
  }
}

const tinyOptions = { ...trainingOptions, dim: int('feature width', 8, { min: 1 }) };
type TinyPreset = Partial<{ [K in keyof typeof tinyOptions]: unknown }>;
const QUICK = { epochs: 2, batchSize: 16, seed: 3, lr: 1e-2, warmupSteps: 0 };

/**
 * The tiny task; `datasets` limits where it trains (default Fashion-MNIST and emoji), `preset` adds
 * to its presets. `poisonAt`: before that step (0-based), NaN goes into a trained head the loss
 * never reads — the loss stays finite, as behind a fused BN + ReLU. `collapse`: report
 * embeddingStd of a constant. `unsuited`: its check refuses the data with this DatasetError.
 */
export function tinyTask(id = 'tiny', opts: { datasets?: ('fashion-mnist' | 'emoji')[]; preset?: TinyPreset; poisonAt?: number; collapse?: boolean; unsuited?: string } = {}): Task<'image'> {
  const p = { ...QUICK, ...opts.preset } as typeof QUICK;
  const all = { 'fashion-mnist': { quick: p, full: p }, emoji: { quick: {}, full: {} } };
  const presets = Object.fromEntries((opts.datasets ?? ['fashion-mnist', 'emoji']).map((d) => [d, all[d]])) as typeof all;
  return defineTask({
    id,
    summary: 'test task: linear encoder + linear classifier, cross-entropy on labels',
    modality: 'image',
    options: tinyOptions,
    presets,
    ...(opts.unsuited === undefined
      ? {}
      : {
          check: () => {
            throw new DatasetError(opts.unsuited);
          },
        }),
    augmentation: (cfg) => simclrAugmentation(cfg.dataset, 0.5),
    encoder: (cfg, data, init) => new FlatEncoder(init, data.shape[1] * data.shape[2] * data.shape[3], cfg.dim),
    build(cfg, data) {
      const [, c, h, w] = data.shape;
      const init = new Init(cfg.seed);
      const encoder = new FlatEncoder(init, c * h * w, cfg.dim);
      const head = new Linear(init, encoder.featureDim, data.classes.length);
      const unused = new Linear(init, 2, 2);
      const objective: Objective<'image'> = {
        name: 'tiny',
        heads: opts.poisonAt === undefined ? { head } : { head, unused },
        loss(batch: Batch, ctx) {
          if (ctx.step === opts.poisonAt) unused.weight.backend.write(unused.weight.storage, Float32Array.from([0, Number.NaN, 0, 0]));
          const z = encoder.forward(tensor(batch.images, batch.shape)); // (B, D)
          const logits = head.forward(relu(z)); // (B, classes)
          const { loss, accuracy } = classification(logits, tensor(batch.labels));
          return { loss, metrics: { accuracy, embeddingStd: embeddingStd(opts.collapse ? z.mul(0) : z) } };
        },
      };
      return trainObjectives(cfg, encoder, [{ objective, weight: 1 }]);
    },
  });
}
