// @pretext/tasks: self-supervised objectives, one readable file each.
import { moco } from './moco.js';
import { simclr } from './simclr.js';
import type { Task } from './task.js';

export { checkDataset, DATASETS, type EvalSets, loadSplits } from './datasets.js';
export { embeddingStd } from './metrics.js';
export { moco, type MocoConfig } from './moco.js';
export { simclr, simclrAugmentation, type SimclrConfig } from './simclr.js';
export type { DatasetId, Encoder, PresetId, StepMetrics, Task, TaskConfig, TrainState } from './task.js';

/** Every task by id (what `pretext train <task>` accepts). */
export const TASKS: Record<string, Task> = { simclr, moco };
