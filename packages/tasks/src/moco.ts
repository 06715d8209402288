// MoCo v2 (He et al. 2020; Chen et al. 2020): a query encoder trained by InfoNCE against the keys
// of a momentum (EMA) encoder plus a queue of K past keys as negatives; MLP head, τ = 0.2. The
// logits are He et al.'s [l_pos | q·queueᵀ]; --batch-negatives adds the other queries' keys.
import { arange, assign, assignRows, emaFollower, infonce, noGrad, ParamArena, randn, slice, type Tensor } from '@pretext/core';
import type { Batch, ImageDataset } from '@pretext/data';
import { Init, projectionHead } from '@pretext/models';
import { mocoAugmentation } from './augmentations.js';
import { convEncoder, convEncoderOptions } from './encoders.js';
import { embeddingStd } from './metrics.js';
import { type Objective, trainObjectives } from './objective.js';
import { bool, type ConfigOf, flagOf, int, num, OptionError } from './options.js';
import { defineTask, type Encoder, type FolderRef, presetDataset, type StepContext } from './task.js';
import { trainingOptions } from './training-options.js';
import { checkPairs, twoViews } from './views.js';

export const mocoOptions = {
  projHidden: int('hidden width of the projection head', 256, { min: 1 }),
  projDim: int('output width of the projection head (the keys in the queue)', 64, { min: 1 }),
  tau: num('temperature τ of InfoNCE', 0.2, { above: 0, max: 10 }),
  momentum: num('momentum m of the key encoder: θ_k ← m·θ_k + (1 − m)·θ_q', 0.99, { min: 0, max: 1 }),
  queueSize: int('queue length K (a multiple of the batch size)', 4096, { min: 1 }),
  pairs: bool("keys from the image's natural partner (emoji: the other vendor's drawing)", false),
  batchNegatives: bool("the other queries' keys of the batch as negatives too (logits [k; queue]; MoCo's own are [l_pos | queue])", false),
};
export type MocoObjectiveConfig = ConfigOf<typeof mocoOptions> & { dataset: string; folder?: FolderRef; batchSize: number; seed: number };

/**
 * InfoNCE of queries from the trained encoder against keys from `keyEncoder`, which starts as a
 * copy of `encoder` and follows it by EMA, plus the queue of past keys as negatives.
 */
export function mocoObjective(cfg: MocoObjectiveConfig, encoder: Encoder, keyEncoder: Encoder, init: Init, data: ImageDataset): Objective<'image'> {
  const n = cfg.batchSize;
  const head = projectionHead(init, encoder.featureDim, cfg.projHidden, cfg.projDim);
  const keyHead = projectionHead(init, encoder.featureDim, cfg.projHidden, cfg.projDim);
  // the key encoder + head: a copy of the query's, no gradient, in one arena for the EMA
  const pairs = [...keyEncoder.parameters(), ...keyHead.parameters()].map((k, i): [Tensor, Tensor] => [k, [...encoder.parameters(), ...head.parameters()][i]]);
  for (const [k, q] of pairs) {
    assign(k, q);
    k.requiresGrad = false;
  }
  const keys = new ParamArena([...keyEncoder.namedParameters('keyEncoder'), ...keyHead.namedParameters('keyHead')]);
  let follow: ((m: number) => void) | null = null;
  // the queue: K keys, initialised random as in MoCo (the kernel L2-normalises rows)
  const queue = randn([cfg.queueSize, cfg.projDim], { seed: cfg.seed, stream: 7777 });
  const pipeline = mocoAugmentation(presetDataset(cfg));
  let batchKeys: Tensor | null = null;

  return {
    name: 'moco',
    heads: { head },
    frozen: { keyEncoder, keyHead },
    loss(batch: Batch, ctx: StepContext) {
      // 1. two views: rows [0, N) for queries, [N, 2N) for keys (with pairs, the partner's)   (2N, C, H, W)
      const views = twoViews(batch, data, pipeline, { seed: ctx.seed, pairs: cfg.pairs });
      // 2. queries (N, d) with gradient; keys (N, d) from the momentum encoder without
      const q = head.forward(encoder.forward(slice(views, 0, 0, n)));
      const k = noGrad(() => keyHead.forward(keyEncoder.forward(slice(views, 0, n, 2 * n))));
      batchKeys = k;
      // 3. InfoNCE over [l_pos | q·queueᵀ]: the positive of q_i is k_i, the queue's K keys the negatives
      const { loss, accuracy } = infonce(q, k, arange(n, undefined, 1, { dtype: 'i32' }), { tau: cfg.tau, queue, batchNegatives: cfg.batchNegatives });
      return { loss, metrics: { accuracy, embeddingStd: embeddingStd(q) } };
    },
    afterUpdate({ step, optimizer }) {
      // 4. the key encoder follows: θ_k ← m·θ_k + (1 − m)·θ_q
      follow ??= emaFollower(keys, optimizer.arena, pairs);
      follow(cfg.momentum);
      // 5. enqueue this batch's keys in place of the oldest (a ring of K rows)
      if (batchKeys) assignRows(queue, (step * n) % cfg.queueSize, batchKeys);
      batchKeys = null;
    },
    extraState: () => new Map([['queue', queue]]),
    dispose() {
      keys.dispose();
      queue.dispose();
    },
  };
}

/** Partner pairs need a dataset that has them; the queue holds whole batches. */
export function checkMoco(cfg: MocoObjectiveConfig, data: ImageDataset, flag: (name: string) => string = flagOf): void {
  checkPairs(cfg, data, flag);
  if (cfg.queueSize % cfg.batchSize !== 0) throw new OptionError(`${flag('queueSize')} ${cfg.queueSize} must be a multiple of ${flag('batchSize')} ${cfg.batchSize}`);
}

export const moco = defineTask({
  id: 'moco',
  summary: 'MoCo v2: momentum key encoder, queue of negatives, InfoNCE (fused kernel), τ = 0.2',
  modality: 'image',
  options: { ...trainingOptions, ...convEncoderOptions, ...mocoOptions },
  presets: {
    'fashion-mnist': {
      quick: { epochs: 2, batchSize: 256, lr: 2e-3, trainLimit: 8192, supervisedEpochs: 1, width: 16, queueSize: 4096, probeSelect: false },
      full: { epochs: 3, batchSize: 256, lr: 2e-3, width: 32, grid: 2, queueSize: 8192, supervisedEpochs: 1, probeEpochs: 15 }, // sized as SimCLR's full preset
    },
    emoji: {
      quick: { epochs: 8, batchSize: 128, lr: 2e-3, width: 32, grid: 2, downsample: 2, pairs: true, queueSize: 1024, supervisedEpochs: 8 },
      full: { epochs: 50, batchSize: 256, lr: 2e-3, width: 32, grid: 2, downsample: 2, pairs: true, queueSize: 2048, supervisedEpochs: 20 },
    },
  },
  folderPreset: { pairs: false }, // a folder has no natural second view
  check: (cfg, data) => checkMoco(cfg, data),
  encoder: convEncoder,
  augmentation: (cfg) => mocoAugmentation(presetDataset(cfg)),
  build(cfg, data) {
    const init = new Init(cfg.seed);
    const encoder = convEncoder(cfg, data, init);
    const keyEncoder = convEncoder(cfg, data, init);
    return trainObjectives(cfg, encoder, [{ objective: mocoObjective(cfg, encoder, keyEncoder, init, data), weight: 1 }]);
  },
});
