// SimCLR (Chen et al. 2020): two augmented views of every image, encoder + 2-layer projection
// head, NT-Xent on the fused InfoNCE kernel, AdamW or LARS with linear warmup + cosine decay.
import { adamw, keep, lars, ntXent, type Optimizer, tidy, warmupCosine } from '@pretext/core';
import type { Batch, ImageDataset } from '@pretext/data';
import { type Pipeline, simclrPipeline } from '@pretext/kernels';
import { Init, projectionHead } from '@pretext/models';
import { embeddingStd, readMetrics } from './metrics.js';
import { twoViews } from './views.js';
import { type ConvEncoderConfig, convEncoder, type DatasetId, type PresetId, type StepMetrics, type Task, type TaskConfig, type TrainState } from './task.js';

export interface SimclrConfig extends TaskConfig, ConvEncoderConfig {
  projHidden: number;
  projDim: number;
  tau: number;
  optimizer: 'adamw' | 'lars';
  weightDecay: number;
  warmupSteps: number;
  /** Colour-jitter strength s (SimCLR's appendix: (0.8s, 0.8s, 0.8s, 0.2s)). */
  jitter: number;
  /** The second view from the image's natural partner (emoji: the other vendor's drawing). */
  pairs: boolean;
}

/** The augmentation pipeline for a dataset, as the preset says. */
export function simclrAugmentation(dataset: DatasetId, jitter: number): Pipeline {
  const p = simclrPipeline({ strength: jitter, blur: dataset !== 'fashion-mnist' });
  if (dataset !== 'fashion-mnist') return p;
  // Fashion-MNIST is grayscale: saturation, hue and random grayscale do nothing there, so the
  // jitter reduces to brightness and contrast; 28×28 images take crops of at least 20% (as for
  // CIFAR-size inputs), and blur is off at this size (the paper drops it for CIFAR-10).
  return {
    ...p,
    name: `simclr-gray(s=${jitter})`,
    crop: { scale: [0.2, 1], ratio: [3 / 4, 4 / 3] },
    jitter: { brightness: 0.8 * jitter, contrast: 0.8 * jitter, saturation: 0, hue: 0, p: 0.8 },
    grayscale: undefined,
    description: `SimCLR for grayscale 28×28: random resized crop (scale 0.2–1, ratio 3/4–4/3), flip p=0.5, brightness and contrast jitter ${0.8 * jitter} with p=0.8 (saturation, hue and grayscale are no-ops on one channel), no blur.`,
  };
}

// full, Fashion-MNIST: sized for the 90-minute budget on a 2-core lavapipe machine. Measured
// (3 epochs, commit 8535720): wall 24.6 min, training 14.7 min at 203.5 images/s, evaluation ~10 min
// (features of three encoders, a 1-epoch supervised baseline, probes); linear probe 89.5%, 1% of
// labels 80.5%. The linear probe runs 15 epochs (its time is per epoch): on 60 000 × 512 features
// of this preset it reached 89.4 / 89.5 / 89.5 / 89.35% after 10 / 15 / 20 / 30. The last map is pooled to 2×2 cells (512-d features): a
// random-init ConvNet(32) probes at 87.7% that way (83.0% with global pooling, 20k/5k split).
// Emoji (3050 train drawings, 64×64×3): the encoder average-pools the input to 32×32 (a quarter of
// the convolution work, so 8 epochs fit a quick run), 2×2 grid pooling, and the two views of a
// drawing are its own and the other vendor's drawing of the same emoji (pairs: no labels used).
const PRESETS: Record<DatasetId, Record<PresetId, Partial<SimclrConfig>>> = {
  'fashion-mnist': {
    quick: { epochs: 2, batchSize: 256, trainLimit: 8192, supervisedEpochs: 1, width: 16, lr: 2e-3 },
    full: { epochs: 3, batchSize: 256, width: 32, grid: 2, lr: 2e-3, supervisedEpochs: 1, probeEpochs: 15 },
  },
  emoji: {
    quick: { epochs: 8, batchSize: 128, width: 32, grid: 2, downsample: 2, pairs: true, lr: 2e-3, supervisedEpochs: 8 },
    full: { epochs: 50, batchSize: 256, width: 32, grid: 2, downsample: 2, pairs: true, lr: 2e-3, supervisedEpochs: 20 },
  },
};

export const simclr: Task = {
  id: 'simclr',
  summary: 'SimCLR: two augmented views, ConvNet + projection head, NT-Xent (fused InfoNCE kernel)',
  config(dataset, preset): SimclrConfig {
    return {
      task: 'simclr', dataset, preset, seed: 0, epochs: 1, batchSize: 256, lr: 1e-3,
      width: 32, grid: 1, projHidden: 256, projDim: 64, tau: 0.5, optimizer: 'adamw', weightDecay: 1e-4, warmupSteps: 20, jitter: 0.5, pairs: false,
      ...PRESETS[dataset][preset],
    };
  },
  augmentation: (cfg) => simclrAugmentation(cfg.dataset, (cfg as SimclrConfig).jitter),
  encoder: convEncoder,
  build(config: TaskConfig, data: ImageDataset): TrainState {
    const cfg = config as SimclrConfig;
    const init = new Init(cfg.seed);

    // model: encoder (N, C, H, W) → (N, F); projection head (N, F) → (N, d)
    const encoder = simclr.encoder(cfg, data, init);
    const head = projectionHead(init, encoder.featureDim, cfg.projHidden, cfg.projDim);
    const params = [...encoder.namedParameters('encoder'), ...head.namedParameters('head')];
    const optimizer: Optimizer = cfg.optimizer === 'lars'
      ? lars(params, { lr: cfg.lr, weightDecay: cfg.weightDecay })
      : adamw(params, { lr: cfg.lr, weightDecay: cfg.weightDecay });
    const pipeline = simclr.augmentation(cfg);
    // warm up over at most a tenth of the run, so short runs reach the base rate

    async function step(batch: Batch, step: number, totalSteps: number): Promise<StepMetrics> {
      optimizer.lr = warmupCosine(step, totalSteps, cfg.lr, { warmup: Math.min(cfg.warmupSteps, Math.ceil(totalSteps / 10)) });
      const out = tidy(() => {
        // 1. two views on the GPU: rows n and N + n from image n (and, with pairs, its partner)   (2N, C, H, W)
        const views = twoViews(batch, data, pipeline, { seed: cfg.seed * 1_000_003 + step, pairs: cfg.pairs });
        // 2. encode and project   (2N, F) → (2N, d)
        const z = head.forward(encoder.forward(views));
        // 3. NT-Xent: the positive of row i is i ± N, the other 2N − 2 rows are negatives
        const { loss, accuracy } = ntXent(z, { tau: cfg.tau });
        // 4. backward, then one fused optimizer step over all parameters
        loss.backward();
        optimizer.update();
        return { loss: keep(loss), accuracy: keep(accuracy), std: keep(embeddingStd(z)) };
      });
      // 5. the step's only readback: three numbers for the log
      return readMetrics(out, optimizer.lr);
    }

    return {
      encoder,
      modules: { encoder, head },
      optimizer,
      step,
      extraState: () => new Map(),
      dispose: () => {
        encoder.dispose();
        head.dispose();
        optimizer.arena.dispose();
      },
    };
  },
};
