// @pretext/tasks: self-supervised methods, one readable file each, behind one Task shape. This
// entry runs anywhere (a browser page too); node.ts, Node's entry, adds loading splits from files.
import { colorization } from './colorization.js';
import { context } from './context.js';
import { gpt } from './gpt.js';
import { hybrid } from './hybrid.js';
import { jigsaw } from './jigsaw.js';
import { mlm } from './mlm.js';
import { mlmSimcse } from './mlm-simcse.js';
import { moco } from './moco.js';
import { rotation } from './rotation.js';
import { simclr } from './simclr.js';
import type { AnyTask } from './task.js';

export { mocoAugmentation, mocoV2Pipeline, simclrAugmentation, simclrPipeline } from './augmentations.js';
export { type AbBins, abBins, abHistogram, pooledAb, rebalanceWeights, smoothedPrior } from './ab-bins.js';
export { checkColorization, type ColorizationObjectiveConfig, colorization, colorizationObjective, colorizationOptions } from './colorization.js';
export { abDistance, annealedMean, chroma, colourfulness, grayOf } from './colour-metrics.js';
export { checkDataset, DATASETS, type EvalSets, imageShapeOf, shapeOnly } from './datasets.js';
export { checkContext, context, contextObjective, contextOptions, patchSize } from './context.js';
export { checkEncoderInput, type ConvEncoderConfig, convEncoder, convEncoderOptions, type DenseImageEncoder, lightnessEncoder, trainAlone } from './encoders.js';
export { classifierHead, classifierObjective, headOptions } from './classifier.js';
export { hybrid, hybridOptions, parseObjectives, partOption, type WeightedName } from './hybrid.js';
export { checkJigsaw, jigsaw, jigsawObjective, jigsawOptions, tileSize } from './jigsaw.js';
export { embeddingStd } from './metrics.js';
export { checkMoco, moco, mocoObjective, mocoOptions } from './moco.js';
export { type ClassifierView, type LossResult, type Objective, PARAM_NORM, type PretextView, type RowsView, trainObjectives, type WeightedObjective } from './objective.js';
export { defineObjective, type ObjectiveBase, type ObjectiveEntry, OBJECTIVES } from './registry.js';
export { checkRotation, rotation, rotationObjective, rotationOptions } from './rotation.js';
export { bool, type ConfigOf, DatasetError, defaultsOf, flagOf, int, num, oneOf, type Option, OptionError, optionOfFlag, parseOptions, type Schema, text } from './options.js';
export { simclr, simclrObjective, simclrOptions } from './simclr.js';
export {
  type AnyTask, type BatchOf, type ClassifierExample, type Config, type DataOf, type DatasetId, type DatasetOf, defineTask, type Encoder, type EncoderOf, FOLDER_LOOKALIKE, type FolderRef, type Modalities, type Modality,
  PRESETS, type PresetId, presetDataset, presetId, type PretextExample, type RowsExample, type RunId, type SplitsOf, type StepContext, type StepMetrics, type Task, type TaskConfig, type TaskDef, type TrainState,
} from './task.js';
export { learningRate, makeOptimizer, type TrainingConfig, trainingOptions, type TrainingOptions } from './training-options.js';
export { checkPairs, twoViews } from './views.js';
export { entryTargets, gpt, gptObjective, gptOptions } from './gpt.js';
export { checkMlm, mlm, mlmObjective, mlmOptions } from './mlm.js';
export { mlmSimcse, simcseObjective, simcseOptions } from './mlm-simcse.js';
export { type GenerateOptions, generate, sampleToken } from './generate.js';
export { SPLIT_SEED, TEXT_DATASETS, type TextSplits, VALID_FRACTION } from './text-splits.js';
export { checkTextEncoder, type DeviceBatch, deviceBatch, TextEncoder, type TextEncoderConfig, textEncoder, textEncoderOptions } from './text-encoder.js';

/** Every task by id (what `pretext train <task>` accepts). */
export const TASKS: Record<string, AnyTask> = { simclr, moco, rotation, jigsaw, context, colorization, hybrid, gpt, mlm, 'mlm-simcse': mlmSimcse };
