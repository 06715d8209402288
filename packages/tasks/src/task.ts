// What every SSL task provides to the trainer (`pretext train`): build the model from a config,
// take one optimisation step on a batch, expose the encoder for evaluation and the state for
// checkpoints. Each task is one file that reads top to bottom (simclr.ts, moco.ts, …).
import type { Optimizer, Tensor } from '@pretext/core';
import type { Batch, ImageDataset } from '@pretext/data';
import type { Pipeline } from '@pretext/kernels';
import { ConvNet, type Init, type Module } from '@pretext/models';

/** An encoder: images (N, C, H, W) → features (N, featureDim). */
export type Encoder = Module & { forward(x: Tensor): Tensor; featureDim: number };

export type DatasetId = 'fashion-mnist' | 'emoji';
export type PresetId = 'quick' | 'full';

export interface TaskConfig {
  task: string;
  dataset: DatasetId;
  preset: PresetId;
  epochs: number;
  batchSize: number;
  seed: number;
  /** Base learning rate (per task default). */
  lr: number;
  /** Training images used (quick presets use a subset). */
  trainLimit?: number;
  /** Epochs of the supervised baseline (default: the run's epochs; quick presets use fewer). */
  supervisedEpochs?: number;
  /** Epochs of the full linear probe (default @pretext/eval's 30; few-label probes keep theirs). */
  probeEpochs?: number;
  /** Everything else a task reads (τ, widths, queue size, …). */
  [key: string]: unknown;
}

export interface StepMetrics {
  loss: number;
  /** Top-1 accuracy of the positive among the candidates (contrastive tasks). */
  accuracy: number;
  /** Std of the L2-normalised embeddings, averaged over dims: ≈ 1/√d healthy, → 0 collapse. */
  embeddingStd: number;
  lr: number;
}

export interface TrainState {
  /** The network evaluated afterwards: images (N, C, H, W) → features (N, D). */
  encoder: Encoder;
  /** Every module whose parameters and buffers a checkpoint saves, by prefix. */
  modules: Record<string, Module>;
  optimizer: Optimizer;
  /** One optimisation step; `step` counts from 0 over the whole run (schedules, seeds). Reads back only the metrics. */
  step(batch: Batch, step: number, totalSteps: number): Promise<StepMetrics>;
  /** Extra tensors to checkpoint (MoCo's queue, …), by name. */
  extraState(): Map<string, Tensor>;
  dispose(): void;
}

export interface Task {
  id: string;
  /** One line for `pretext train --help`. */
  summary: string;
  /** Config for a dataset and preset (the CLI overrides epochs, batch size, seed). */
  config(dataset: DatasetId, preset: PresetId): TaskConfig;
  build(cfg: TaskConfig, data: ImageDataset): TrainState;
  /** The augmentation the task trains with (the report's grid, the alignment pairs). */
  augmentation(cfg: TaskConfig): Pipeline;
  /** A fresh, untrained encoder of the task's architecture (random-init and supervised baselines). */
  encoder(cfg: TaskConfig, data: ImageDataset, init: Init): Encoder;
}

/** What the ConvNet encoder of a task reads from its config. */
export interface ConvEncoderConfig {
  /** Widths w, 2w, 4w of the three blocks. */
  width: number;
  /** The last map average-pooled to grid × grid cells (1: global pooling); features 4w·grid². */
  grid: number;
  /** Input average-pooled s×s first (emoji 64×64 → 32×32); absent = 1. */
  downsample?: number;
}

/** The tasks' encoder: the small ConvNet for the dataset's channel count. */
export function convEncoder(cfg: TaskConfig, data: ImageDataset, init: Init): Encoder {
  const { width, grid, downsample } = cfg as TaskConfig & ConvEncoderConfig;
  return new ConvNet(init, data.shape[1], width, { grid, downsample });
}
