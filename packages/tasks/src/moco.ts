// MoCo v2 (He et al. 2020; Chen et al. 2020): a query encoder trained by InfoNCE against the keys
// of a momentum (EMA) encoder plus a queue of K past keys as negatives; MLP head, τ = 0.2.
import { adamw, arange, emaUpdate, infonce, keep, noGrad, type Optimizer, ParamArena, randn, slice, tidy, warmupCosine } from '@pretext/core';
import type { Batch, ImageDataset } from '@pretext/data';
import { Init, projectionHead } from '@pretext/models';
import { embeddingStd, readMetrics } from './metrics.js';
import { twoViews } from './views.js';
import { simclrAugmentation } from './simclr.js';
import { type ConvEncoderConfig, convEncoder, type DatasetId, type PresetId, type StepMetrics, type Task, type TaskConfig, type TrainState } from './task.js';
import { mocoV2Pipeline } from '@pretext/kernels';

export interface MocoConfig extends TaskConfig, ConvEncoderConfig {
  projHidden: number;
  projDim: number;
  tau: number;
  /** Momentum of the key encoder: θ_k ← m·θ_k + (1 − m)·θ_q. */
  momentum: number;
  /** Queue length K (a multiple of the batch size). */
  queueSize: number;
  weightDecay: number;
  warmupSteps: number;
  /** Keys from the image's natural partner (emoji: the other vendor's drawing). */
  pairs: boolean;
}

const PRESETS: Record<DatasetId, Record<PresetId, Partial<MocoConfig>>> = {
  'fashion-mnist': {
    quick: { epochs: 2, batchSize: 256, trainLimit: 8192, supervisedEpochs: 1, width: 16, queueSize: 4096 },
    full: { epochs: 3, batchSize: 256, width: 32, grid: 2, queueSize: 8192, supervisedEpochs: 1, probeEpochs: 15 }, // sized as SimCLR's full preset
  },
  emoji: {
    quick: { epochs: 8, batchSize: 128, width: 32, grid: 2, downsample: 2, pairs: true, queueSize: 1024, supervisedEpochs: 8 },
    full: { epochs: 50, batchSize: 256, width: 32, grid: 2, downsample: 2, pairs: true, queueSize: 2048, supervisedEpochs: 20 },
  },
};

export const moco: Task = {
  id: 'moco',
  summary: 'MoCo v2: momentum key encoder, queue of negatives, InfoNCE (fused kernel), τ = 0.2',
  config(dataset, preset): MocoConfig {
    return {
      task: 'moco', dataset, preset, seed: 0, epochs: 1, batchSize: 256, lr: 2e-3,
      width: 32, grid: 1, projHidden: 256, projDim: 64, tau: 0.2, momentum: 0.99, queueSize: 4096, weightDecay: 1e-4, warmupSteps: 20, pairs: false,
      ...PRESETS[dataset][preset],
    };
  },
  augmentation: (cfg) => (cfg.dataset === 'fashion-mnist' ? simclrAugmentation('fashion-mnist', 0.5) : mocoV2Pipeline()),
  encoder: convEncoder,
  build(config: TaskConfig, data: ImageDataset): TrainState {
    const cfg = config as MocoConfig;
    const n = cfg.batchSize;
    if (cfg.queueSize % n !== 0) throw new Error(`moco: queueSize ${cfg.queueSize} must be a multiple of the batch size ${n}`);

    // model: query encoder + head (trained), key encoder + head (EMA of the query's, no gradient)
    const init = new Init(cfg.seed);
    const encoder = moco.encoder(cfg, data, init);
    const head = projectionHead(init, encoder.featureDim, cfg.projHidden, cfg.projDim);
    const keyEncoder = moco.encoder(cfg, data, init);
    const keyHead = projectionHead(init, encoder.featureDim, cfg.projHidden, cfg.projDim);
    const optimizer: Optimizer = adamw([...encoder.namedParameters('encoder'), ...head.namedParameters('head')], { lr: cfg.lr, weightDecay: cfg.weightDecay });
    const keyParams = [...keyEncoder.namedParameters('keyEncoder'), ...keyHead.namedParameters('keyHead')];
    for (const [, p] of keyParams) p.requiresGrad = false;
    const keys = new ParamArena(keyParams);
    emaUpdate(keys, optimizer.arena, 0); // θ_k ← θ_q at the start

    // the queue: K keys, initialised random as in MoCo (the kernel L2-normalises rows)
    const queue = randn([cfg.queueSize, cfg.projDim], { seed: cfg.seed, stream: 7777 });
    const pipeline = moco.augmentation(cfg);

    async function step(batch: Batch, step: number, totalSteps: number): Promise<StepMetrics> {
      optimizer.lr = warmupCosine(step, totalSteps, cfg.lr, { warmup: Math.min(cfg.warmupSteps, Math.ceil(totalSteps / 10)) });
      const out = tidy(() => {
        // 1. two views: rows [0, N) for queries, [N, 2N) for keys (with pairs, the partner's)   (2N, C, H, W)
        const views = twoViews(batch, data, pipeline, { seed: cfg.seed * 1_000_003 + step, pairs: cfg.pairs });
        // 2. queries (N, d) with gradient; keys (N, d) from the momentum encoder without
        const q = head.forward(encoder.forward(slice(views, 0, 0, n)));
        const k = noGrad(() => keyHead.forward(keyEncoder.forward(slice(views, 0, n, 2 * n))));
        // 3. InfoNCE: the positive of q_i is k_i; the queue's K keys are negatives for every query
        const { loss, accuracy } = infonce(q, k, arange(n, undefined, 1, { dtype: 'i32' }), { tau: cfg.tau, queue });
        // 4. backward, optimizer step, then the key encoder follows: θ_k ← m·θ_k + (1 − m)·θ_q
        loss.backward();
        optimizer.update();
        emaUpdate(keys, optimizer.arena, cfg.momentum);
        // 5. enqueue this batch's keys in place of the oldest (a ring of K rows)
        const at = ((step * n) % cfg.queueSize) * cfg.projDim;
        const slot = queue.backend.viewAt(queue.storage, at, k.shape);
        queue.backend.copyInto(k.storage, slot);
        queue.backend.release(slot);
        return { loss: keep(loss), accuracy: keep(accuracy), std: keep(embeddingStd(q)) };
      });
      return readMetrics(out, optimizer.lr);
    }

    return {
      encoder,
      modules: { encoder, head, keyEncoder, keyHead },
      optimizer,
      step,
      extraState: () => new Map([['queue', queue]]),
      dispose: () => {
        for (const m of [encoder, head, keyEncoder, keyHead]) m.dispose();
        optimizer.arena.dispose();
        keys.dispose();
        queue.dispose();
      },
    };
  },
};
