// @pretext/tasks: self-supervised methods, one readable file each, behind one Task shape.
import { colorization } from './colorization.js';
import { moco } from './moco.js';
import { simclr } from './simclr.js';
import type { AnyTask } from './task.js';

export { mocoAugmentation, mocoV2Pipeline, simclrAugmentation, simclrPipeline } from './augmentations.js';
export { type AbBins, abBins, abHistogram, pooledAb, rebalanceWeights, smoothedPrior } from './ab-bins.js';
export { type ColorizationObjectiveConfig, colorization, colorizationObjective, colorizationOptions } from './colorization.js';
export { abDistance, annealedMean, chroma, colourfulness, grayOf } from './colour-metrics.js';
export { checkDataset, DATASETS, type EvalSets, loadSplits } from './datasets.js';
export { type ConvEncoderConfig, convEncoder, convEncoderOptions, type DenseImageEncoder, lightnessEncoder } from './encoders.js';
export { embeddingStd } from './metrics.js';
export { moco, mocoObjective, mocoOptions } from './moco.js';
export { type LossResult, type Objective, trainObjectives, type WeightedObjective } from './objective.js';
export { bool, type ConfigOf, defaultsOf, flagOf, int, num, oneOf, type Option, OptionError, optionOfFlag, parseOptions, type Schema, text } from './options.js';
export { simclr, simclrObjective, simclrOptions } from './simclr.js';
export {
  type AnyTask, type BatchOf, type Config, type DataOf, type DatasetId, type DatasetOf, defineTask, type Encoder, type EncoderOf, type Modalities, type Modality,
  PRESETS, type PresetId, type PretextFigure, type RunId, type SplitsOf, type StepContext, type StepMetrics, type Task, type TaskConfig, type TaskDef, type TrainState,
} from './task.js';
export { learningRate, makeOptimizer, type TrainingConfig, trainingOptions, type TrainingOptions } from './training-options.js';
export { checkPairs, twoViews } from './views.js';

/** Every task by id (what `pretext train <task>` accepts). */
export const TASKS: Record<string, AnyTask> = { simclr, moco, colorization };
