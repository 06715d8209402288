// The options every task has: how long and how it trains, and how its evaluation is sized.
import { adamw, lars, type Optimizer, sgd, type Tensor, warmupCosine } from '@pretext/core';
import { bool, type ConfigOf, int, num, oneOf } from './options.js';

export const trainingOptions = {
  epochs: int('passes over the training set', 1, { min: 1 }),
  steps: int('stop after this many steps, the schedule planned for them (default: epochs × batches per epoch)', undefined, { min: 1 }),
  batchSize: int('items per step', 256, { min: 2 }),
  seed: int('seed of the init, the data order and every augmentation', 0, { min: 0 }),
  lr: num('base learning rate (after warmup, before cosine decay)', 1e-3, { above: 0, max: 10 }),
  optimizer: oneOf('optimizer (SGD and LARS with momentum 0.9)', ['adamw', 'lars', 'sgd'], 'adamw'),
  weightDecay: num('weight decay (decoupled for AdamW; weights only, not biases or norms)', 1e-4, { min: 0, max: 1 }),
  warmupSteps: int('linear warmup steps (at most a tenth of the run)', 20, { min: 0 }),
  trainLimit: int('train on this many items of the train split (default: all)', undefined, { min: 1 }),
  testLimit: int('evaluate on this many items of the test split (default: all; quick presets 2000)', undefined, { min: 1 }),
  probeEpochs: int('epochs of the linear probe (default 30)', undefined, { min: 1 }),
  probeSelect: bool("choose the probes' weight decay on held-out train labels (few-label, and linear on ≤ 6000 labels; ~5× the probes' time; the 5-minute Fashion-MNIST quick presets skip it)", true),
  supervisedEpochs: int('epochs of the supervised baseline (default: the run\'s epochs)', undefined, { min: 1 }),
  finetuneEpochs: int('epochs of fine-tuning on 1% and 10% of the labels, at least 100 steps (default 10)', undefined, { min: 1 }),
  finetuneEncoderLr: num("fine-tuning: the pretrained encoder's learning rate as a multiple of the head's (scratch trains at 1)", 0.1, { above: 0, max: 1 }),
};
export type TrainingOptions = typeof trainingOptions;
export type TrainingConfig = ConfigOf<TrainingOptions>;

/** The configured optimizer over named parameters. */
export function makeOptimizer(cfg: TrainingConfig, params: readonly (readonly [string, Tensor])[]): Optimizer {
  const h = { lr: cfg.lr, weightDecay: cfg.weightDecay };
  if (cfg.optimizer === 'lars') return lars(params, h);
  if (cfg.optimizer === 'sgd') return sgd(params, { ...h, momentum: 0.9 });
  return adamw(params, h);
}

/** Linear warmup over min(warmupSteps, a tenth of the run), then cosine decay to 0. */
export function learningRate(cfg: TrainingConfig, step: number, totalSteps: number): number {
  return warmupCosine(step, totalSteps, cfg.lr, { warmup: Math.min(cfg.warmupSteps, Math.ceil(totalSteps / 10)) });
}
