// What every self-supervised method provides to the trainer (`pretext train`, the bench, the
// evaluation): a typed option schema with presets, and `build(cfg, data)` → a TrainState whose
// `step()` is one optimisation step. A method is one file (simclr.ts, moco.ts, rotation.ts, …)
// that defines its objective — the heads it trains and its loss for a batch — and a task made
// with `defineTask`; hybrids sum several objectives on one shared encoder.
import type { Optimizer, Tensor } from '@pretext/core';
import type { Batch, ImageDataset, TokenBatch, TokenCorpus } from '@pretext/data';
import type { Pipeline } from '@pretext/kernels';
import type { EvalSets } from './datasets.js';
import type { Init, Module } from '@pretext/models';
import type { TextSplits } from './text-splits.js';
import type { TextEncoder } from './text-encoder.js';
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
  /** Token corpora of a text split; batches of token ids with their padding mask; a Transformer encoder. */
  text: { data: TokenCorpus; batch: TokenBatch; encoder: TextEncoder; dataset: 'fortunes'; splits: TextSplits };
}
export type Modality = keyof Modalities;
export type DataOf<M extends Modality> = Modalities[M]['data'];
export type BatchOf<M extends Modality> = Modalities[M]['batch'];
export type EncoderOf<M extends Modality> = Modalities[M]['encoder'];
export type DatasetOf<M extends Modality> = Modalities[M]['dataset'];
export type SplitsOf<M extends Modality> = Modalities[M]['splits'];
export type DatasetId = DatasetOf<Modality>;
/** Every task has `quick` and `full` presets; `large` (a longer run of a bigger model) only where a task defines one. */
export type PresetId = 'quick' | 'full' | 'large';
/** A dataset's presets: quick and full required, large optional. */
export type PresetTable<T> = Record<'quick' | 'full', T> & Partial<Record<'large', T>>;

/**
 * A folder of the user's images as a run's dataset (the run's `dataset` is the folder's absolute
 * path): the side its images are resized to, its channel count, and the known dataset it
 * resembles — gray folders take Fashion-MNIST's presets and recipes, colour ones the emoji's.
 */
export interface FolderRef {
  size: number;
  channels: 1 | 3;
  like: DatasetId;
}

/** Which run a config belongs to (not options: they pick the presets). */
export interface RunId {
  task: string;
  dataset: string;
  preset: PresetId;
  /** Set when `dataset` is a folder of images. */
  folder?: FolderRef;
}

/** The known dataset whose presets and augmentation recipe a run takes (its own, or its folder's look-alike). */
export function presetDataset(run: { dataset: string; folder?: FolderRef }): string {
  return run.folder?.like ?? run.dataset;
}

/** The look-alike of a folder with `channels` channels: its presets, recipe and default image size. */
export const FOLDER_LOOKALIKE = {
  1: { like: 'fashion-mnist', size: 28 },
  3: { like: 'emoji', size: 64 },
} as const satisfies Record<1 | 3, { like: DatasetId; size: number }>;

/** Validates a config's folder entry (from a checkpoint or the CLI). */
function checkFolder(f: unknown, known: readonly string[], source: string): FolderRef {
  const o = f as Partial<FolderRef> | null;
  if (!o || typeof o !== 'object' || !Number.isInteger(o.size) || (o.size as number) < 4 || (o.size as number) > 1024 || (o.channels !== 1 && o.channels !== 3) || !known.includes(o.like as string)) {
    throw new OptionError(`${source}: folder must be { size: 4–1024, channels: 1 | 3, like: ${known.join(' | ')} }, got ${JSON.stringify(f)}`);
  }
  return { size: o.size as number, channels: o.channels, like: o.like as DatasetId };
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

export interface TrainState<M extends Modality = Modality> {
  /** The network evaluated afterwards. */
  encoder: EncoderOf<M>;
  /** Every module whose parameters and buffers a checkpoint saves, by prefix. */
  modules: Record<string, Module>;
  optimizer: Optimizer;
  /** One optimisation step; reads back only the metrics. */
  step(batch: BatchOf<M>, step: number, totalSteps: number): Promise<StepMetrics>;
  /**
   * The pretext objective on held-out batches (eval mode, no gradient, no update): the mean of the
   * loss and of each metric a step reports (rotation's accuracy, colorization's ab error, …).
   * `seed` fixes the held-out augmentations.
   */
  heldOut(batches: Iterable<BatchOf<M>> | AsyncIterable<BatchOf<M>>, seed?: number): Promise<Record<string, number>>;
  /** What the task's objectives show on a batch, in eval mode (the report's figures): classifiers' predictions, colorization's rows. */
  pretextExamples?(batch: BatchOf<M>, seed?: number): Promise<PretextExample[]>;
  /** Extra tensors to checkpoint (MoCo's queue, …), by name. */
  extraState(): Map<string, Tensor>;
  /** Frees every GPU buffer the state owns (modules, optimizer, queues). */
  dispose(): void;
}

/** A pretext task on a batch as the report draws it: a classifier's inputs and predictions, or rows of images. */
export type PretextExample = ClassifierExample | RowsExample;

/** A classification pretext task's inputs and predictions on a batch. */
export interface ClassifierExample {
  /** The objective (a hybrid has several). */
  objective: string;
  kind: 'rotation' | 'jigsaw' | 'context';
  /** What the model saw: rotated images (N, C, H, W), jigsaw tiles (N, g², C, s, s), (centre, neighbour) patches (N, 2, C, s, s). */
  inputs: Float32Array;
  shape: number[];
  truth: Int32Array;
  predicted: Int32Array;
  /** Jigsaw: the permutations (count, g²); slot t of a puzzle with label l holds grid cell permutations[l][t]. */
  permutations?: Int32Array;
}

/** Labelled rows of images over the same items (colorization: gray input, prediction, truth). */
export interface RowsExample {
  objective: string;
  kind: 'rows';
  /** (C, H, W) of every image. */
  imageShape: [number, number, number];
  rows: { label: string; images: Float32Array }[];
}

/** What one method file defines; `defineTask` turns it into a Task. */
export interface TaskDef<S extends Schema, M extends Modality> {
  id: string;
  /** One line for `pretext train --help`. */
  summary: string;
  modality: M;
  options: S;
  /** Option values per dataset and preset, over the options' defaults. */
  presets: Record<DatasetOf<M>, PresetTable<Partial<NoInfer<ConfigOf<S>>>>>;
  /** Option values a folder of the user's images needs over its look-alike's preset (no natural pairs, …). */
  folderPreset?: Partial<NoInfer<ConfigOf<S>>>;
  /** Checks that need the data (a grid that must fit the image, colour input); throws OptionError naming the option. */
  check?(cfg: NoInfer<Config<S>>, data: DataOf<M>): void;
  build(cfg: NoInfer<Config<S>>, data: DataOf<M>): TrainState<M>;
  /** A fresh, untrained encoder of the task's architecture (random-init and supervised baselines, fine-tuning from scratch). */
  encoder(cfg: NoInfer<Config<S>>, data: DataOf<M>, init: Init): EncoderOf<M>;
  /** The augmentation the task trains with, if it augments (the report's grid, alignment pairs). */
  augmentation?(cfg: NoInfer<Config<S>>): Pipeline | undefined;
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
  /** The presets the task defines for a known dataset, in PRESETS order (quick and full always). */
  presetsOf(dataset: string): readonly PresetId[];
  /** The preset's config for a dataset (a folder: its path and `folder`), with `overrides` (flags, --config) applied and validated. */
  config(dataset: string, preset: PresetId, overrides?: Readonly<Record<string, unknown>>, folder?: FolderRef): C;
  /** Validates a whole config (a checkpoint's, a config file's); `source` names it in errors. */
  parse(cfg: Readonly<Record<string, unknown>>, source: string): C;
  /** The preset values a config started from (help prints them as defaults); a folder's are its look-alike's. */
  presetValues(dataset: string, preset: PresetId, folder?: FolderRef): Readonly<Record<string, unknown>>;
  check(cfg: TaskConfig, data: DataOf<M>): void;
  build(cfg: TaskConfig, data: DataOf<M>): TrainState<M>;
  encoder(cfg: TaskConfig, data: DataOf<M>, init: Init): EncoderOf<M>;
  augmentation(cfg: TaskConfig): Pipeline | undefined;
}

/** Any registered task; switch on `modality` to get its data types. */
export type AnyTask = { [M in Modality]: Task<M> }[Modality];

export const PRESETS: readonly PresetId[] = ['quick', 'full', 'large'];

/** A preset's name as given (a flag, a checkpoint): one of PRESETS, or an OptionError naming the valid ones. */
export function presetId(name: string): PresetId {
  if (!(PRESETS as readonly string[]).includes(name)) throw new OptionError(`unknown preset '${name}'; valid: ${PRESETS.join(', ')}`);
  return name as PresetId;
}

export function defineTask<S extends Schema, M extends Modality>(def: TaskDef<S, M>): Task<M, Config<S> & TaskConfig> {
  const datasets = Object.keys(def.presets) as DatasetOf<M>[];
  const presetsOf = (dataset: string): PresetId[] => PRESETS.filter((p) => def.presets[dataset as DatasetOf<M>]?.[p] !== undefined);
  const presetValues = (dataset: string, preset: PresetId, folder?: FolderRef): Partial<ConfigOf<S>> => {
    const known = folder ? folder.like : dataset;
    if (!(datasets as readonly string[]).includes(known)) throw new OptionError(`${def.id} does not train on '${known}'; valid: ${datasets.join(', ')}, or a folder of images`);
    const values = def.presets[known as DatasetOf<M>][presetId(preset)];
    if (!values) throw new OptionError(`--preset ${preset}: ${def.id} has no ${preset} preset for ${known}; valid: ${presetsOf(known).join(', ')}`);
    return folder ? { ...values, ...def.folderPreset } : values;
  };
  // every typed view of a config goes through the schema: the values are checked, not cast
  const typed = (cfg: Readonly<Record<string, unknown>>, source: string): Config<S> => {
    const { task, dataset, preset, folder, ...values } = cfg;
    if (task !== def.id) throw new OptionError(`${source}: config is for task '${String(task)}', not '${def.id}'`);
    if (typeof dataset !== 'string') throw new OptionError(`${source}: config has no dataset`);
    const f = folder === undefined ? undefined : checkFolder(folder, datasets, source);
    const p = presetId(String(preset));
    presetValues(dataset, p, f);
    return { ...parseOptions(def.options, values, source), task: def.id, dataset, preset: p, ...(f ? { folder: f } : {}) };
  };
  // a schema holds the training options (every task spreads them): its config is a TaskConfig too
  const erase = (c: Config<S>): Config<S> & TaskConfig => c as Config<S> & TaskConfig;
  return {
    id: def.id,
    summary: def.summary,
    modality: def.modality,
    options: def.options,
    datasets,
    presetsOf,
    presetValues,
    config: (dataset, preset, overrides = {}, folder) =>
      erase(typed({ ...presetValues(dataset, preset, folder), ...overrides, task: def.id, dataset, preset, ...(folder ? { folder } : {}) }, 'options')),
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
