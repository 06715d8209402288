// Training-step cases for the bench harness, as LoadedCases (they live here, not in kernels/).
import type { LoadedCase } from '../discover.js';
import { trainingBenches } from './cases.js';

export { isTrainingCase, type StepInstance, type TrainingCase } from './case.js';
export { colorizationCase, gptCase, mlmCase, simclrCase, trainingBenches } from './cases.js';
export { colorizationStepFlops, simclrStepFlops, transformerStepFlops } from './flops.js';
export { generationBenches, generationCase } from './generation.js';
export { measureStep, type TrainingMetrics } from './measure-step.js';

export const TRAINING_FILE = 'bench/src/training/cases.ts';

export const trainingCases = (): LoadedCase[] => trainingBenches.map((c) => ({ case: c, file: TRAINING_FILE }));
