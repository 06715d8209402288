// What the trainer needs per modality besides the task: the data a run loads, its batches, and
// how the trained encoder is evaluated and shown. `pretext train` and `pretext eval` pick the
// runner of the task's modality, so the loop in train.ts is the same for images and text.
import type { BatchOf, DataOf, Modality, SplitsOf, Task, TaskConfig, TrainState } from '@pretext/tasks';
import type { EvalSettings, Evaluation } from './evaluation.js';
import type { Figures } from './figures.js';
import { imageRunner } from './image-runner.js';
import { textRunner } from './text-runner.js';

export interface Loader<B> {
  readonly batchesPerEpoch: number;
  /** Epoch e's batches from batch `from`, deterministic per (seed, epoch, batch). */
  epoch(epoch: number, from?: number): AsyncGenerator<B>;
}

export interface Runner<M extends Modality> {
  /** What a step's items are (images, tokens): the unit of the throughput column. */
  unit: string;
  /** The run's train and test data, as the config sizes them. */
  load(cfg: TaskConfig): SplitsOf<M>;
  train(splits: SplitsOf<M>): DataOf<M>;
  loader(train: DataOf<M>, cfg: TaskConfig): Loader<BatchOf<M>>;
  /** Items in one step's batch (throughput). */
  itemsPerStep(cfg: TaskConfig): number;
  /** One line describing the data (the run log's `data` line). */
  describe(splits: SplitsOf<M>, loader: Loader<BatchOf<M>>, cfg: TaskConfig): string;
  /** Writes what the run directory needs besides checkpoints (a language run's tokenizer.json), once the directory exists. */
  prepare?(dir: string, splits: SplitsOf<M>): void;
  evaluate(task: Task<M>, cfg: TaskConfig, state: TrainState<M>, splits: SplitsOf<M>, settings: EvalSettings, log: (line: string) => void): Promise<Evaluation>;
  figures(dir: string, task: Task<M>, cfg: TaskConfig, state: TrainState<M>, splits: SplitsOf<M>, opts: { mapPoints: number }): Promise<Figures>;
}

const RUNNERS: { [M in Modality]: Runner<M> } = { image: imageRunner, text: textRunner };

export function runnerOf<M extends Modality>(task: Task<M>): Runner<M> {
  return RUNNERS[task.modality];
}
