// What every self-supervised method provides to the trainer (`pretext train`, the bench, the
// evaluation): a typed option schema with presets, and `build(cfg, data)` → a TrainState whose
// `step()` is one optimisation step. A method is one file (simclr.ts, moco.ts, rotation.ts, …)
// that defines its objective — the heads it trains and its loss for a batch — and a task made
// with `defineTask`; hybrids sum several objectives on one shared encoder.
import type { Optimizer, Tensor } from '@pretext/core';
import type { Batch, ImageDataset } from '@pretext/data';
import type { Pipeline } from '@pretext/kernels';
import type { EvalSets } from './datasets.js';
import type { Init, Module } from '@pretext/models';
import { type ConfigOf, OptionError, parseOptions, type Schema } from './options.js';
import type { TrainingOptions } from './training-options.js';

/** An image encoder: images (N, C, H, W) → features (N, featureDim). */
export type Encoder = Module & { forward(x: Tensor): Tensor; featureDim: number };

/**
 * What a task trains on, per modality: the training data, one batch of it, the encoder it leaves
 * for evaluation, the dataset ids it knows and the train/test splits a run loads. A new modality
 * adds an entry.
 */
export interface Modalities {
  image: { data: ImageDataset; batch: Batch; encoder: Encoder; dataset: 'fashion-mnist' | 'emoji'; splits: EvalSets };
}
export type Modality = keyof Modalities;
export type DataOf<M extends Modality> = Modalities[M]['data'];
export type BatchOf<M extends Modality> = Modalities[M]['batch'];
export type EncoderOf<M extends Modality> = Modalities[M]['encoder'];
export type DatasetOf<M extends Modality> = Modalities[M]['dataset'];
export type SplitsOf<M extends Modality> = Modalities[M]['splits'];
export type DatasetId = DatasetOf<Modality>;
export type PresetId = 'quick' | 'full';

/** Which run a config belongs to (not options: they pick the presets). */
export interface RunId {
  task: string;
  dataset: string;
  preset: PresetId;
}

/** A task's typed config: its options plus the run's identity. */
export type Config<S extends Schema> = ConfigOf<S> & RunId;

/** A config as the trainer, checkpoints and the CLI hold it: the common options typed, the rest by name. */
export type TaskConfig = ConfigOf<TrainingOptions> & RunId & { readonly [option: string]: unknown };

/** Numbers one step reports (metrics.jsonl): `loss` and `lr` always; accuracy, collapse std, … by method. */
export interface StepMetrics {
  loss: number;
  lr: number;
  [metric: string]: number;
}

/** Where a step stands: `step` counts from 0 over the whole run; `seed` derives from it (augmentations, masks). */
export interface StepContext {
  step: number;
  totalSteps: number;
  seed: number;
}

/** The pretext task shown on held-out items: rows of images over the same items, each labelled (the CLI draws it; tasks never write files). */
export interface PretextFigure {
  /** File-safe name, e.g. 'colorization'. */
  name: string;
  /** What the rows show. */
  caption: string;
  /** (C, H, W) of every image. */
  imageShape: [number, number, number];
  rows: { label: string; images: Float32Array }[];
}

export interface TrainState<M extends Modality = Modality> {
  /** The network evaluated afterwards. */
  encoder: EncoderOf<M>;
  /** Every module whose parameters and buffers a checkpoint saves, by prefix. */
  modules: Record<string, Module>;
  optimizer: Optimizer;
  /** One optimisation step; reads back only the metrics. */
  step(batch: BatchOf<M>, step: number, totalSteps: number): Promise<StepMetrics>;
  /** Extra tensors to checkpoint (MoCo's queue, …), by name. */
  extraState(): Map<string, Tensor>;
  /** The pretext objective on held-out data, by name (held-out loss and accuracy, colorization's ab error, …), modules in eval mode. */
  pretextMetrics?(test: DataOf<M>): Promise<Record<string, number>>;
  /** Figures of the pretext task on held-out items. */
  pretextFigures?(test: DataOf<M>): Promise<PretextFigure[]>;
  /** Frees every GPU buffer the state owns (modules, optimizer, queues). */
  dispose(): void;
}

/** What one method file defines; `defineTask` turns it into a Task. */
export interface TaskDef<S extends Schema, M extends Modality> {
  id: string;
  /** One line for `pretext train --help`. */
  summary: string;
  modality: M;
  options: S;
  /** Option values per dataset and preset, over the options' defaults. */
  presets: Record<DatasetOf<M>, Record<PresetId, Partial<NoInfer<ConfigOf<S>>>>>;
  /** Checks that need the data (a grid that must fit the image, colour input); throws OptionError naming the option. */
  check?(cfg: NoInfer<Config<S>>, data: DataOf<M>): void;
  build(cfg: NoInfer<Config<S>>, data: DataOf<M>): TrainState<M>;
  /** A fresh, untrained encoder of the task's architecture (random-init and supervised baselines, fine-tuning from scratch). */
  encoder(cfg: NoInfer<Config<S>>, data: DataOf<M>, init: Init): EncoderOf<M>;
  /** The augmentation the task trains with, if it augments (the report's grid, alignment pairs). */
  augmentation?(cfg: NoInfer<Config<S>>): Pipeline;
}

/**
 * A task as registries, the trainer and the CLI hold it: `C` is what `config()` returns (the method's
 * typed config for a task from `defineTask`, the erased TaskConfig in a registry).
 */
export interface Task<M extends Modality = Modality, C extends TaskConfig = TaskConfig> {
  readonly id: string;
  readonly summary: string;
  readonly modality: M;
  readonly options: Schema;
  readonly datasets: readonly DatasetOf<M>[];
  /** The preset's config for a dataset, with `overrides` (flags, --config) applied and validated. */
  config(dataset: string, preset: PresetId, overrides?: Readonly<Record<string, unknown>>): C;
  /** Validates a whole config (a checkpoint's, a config file's); `source` names it in errors. */
  parse(cfg: Readonly<Record<string, unknown>>, source: string): C;
  /** The preset values a config started from (help prints them as defaults). */
  presetValues(dataset: string, preset: PresetId): Readonly<Record<string, unknown>>;
  check(cfg: TaskConfig, data: DataOf<M>): void;
  build(cfg: TaskConfig, data: DataOf<M>): TrainState<M>;
  encoder(cfg: TaskConfig, data: DataOf<M>, init: Init): EncoderOf<M>;
  augmentation(cfg: TaskConfig): Pipeline | undefined;
}

/** Any registered task; switch on `modality` to get its data types. */
export type AnyTask = { [M in Modality]: Task<M> }[Modality];

export const PRESETS: readonly PresetId[] = ['quick', 'full'];

export function defineTask<S extends Schema, M extends Modality>(def: TaskDef<S, M>): Task<M, Config<S> & TaskConfig> {
  const datasets = Object.keys(def.presets) as DatasetOf<M>[];
  const presetValues = (dataset: string, preset: PresetId): Partial<ConfigOf<S>> => {
    if (!(datasets as readonly string[]).includes(dataset)) throw new OptionError(`${def.id} does not train on '${dataset}'; valid: ${datasets.join(', ')}`);
    if (!PRESETS.includes(preset)) throw new OptionError(`unknown preset '${preset}'; valid: ${PRESETS.join(', ')}`);
    return def.presets[dataset as DatasetOf<M>][preset];
  };
  // every typed view of a config goes through the schema: the values are checked, not cast
  const typed = (cfg: Readonly<Record<string, unknown>>, source: string): Config<S> => {
    const { task, dataset, preset, ...values } = cfg;
    if (task !== def.id) throw new OptionError(`${source}: config is for task '${String(task)}', not '${def.id}'`);
    if (typeof dataset !== 'string') throw new OptionError(`${source}: config has no dataset`);
    presetValues(dataset, preset as PresetId);
    return { ...parseOptions(def.options, values, source), task: def.id, dataset, preset: preset as PresetId };
  };
  // a schema holds the training options (every task spreads them): its config is a TaskConfig too
  const erase = (c: Config<S>): Config<S> & TaskConfig => c as Config<S> & TaskConfig;
  return {
    id: def.id,
    summary: def.summary,
    modality: def.modality,
    options: def.options,
    datasets,
    presetValues,
    config: (dataset, preset, overrides = {}) =>
      erase(typed({ ...presetValues(dataset, preset), ...overrides, task: def.id, dataset, preset }, 'options')),
    parse: (cfg, source) => erase(typed(cfg, source)),
    check: (cfg, data) => def.check?.(typed(cfg, 'config'), data),
    build: (cfg, data) => {
      const c = typed(cfg, 'config');
      def.check?.(c, data);
      return def.build(c, data);
    },
    encoder: (cfg, data, init) => def.encoder(typed(cfg, 'config'), data, init),
    augmentation: (cfg) => def.augmentation?.(typed(cfg, 'config')),
  };
}
