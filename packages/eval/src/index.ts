// @pretext/eval: evaluation protocols (linear probe, kNN, few-label, fine-tuning, alignment/uniformity,
// RankMe, retrieval) and the baselines they are reported next to (raw pixels, random init, supervised).
export { type AlignUniformResult, alignmentUniformity, uniformity } from './align-uniform.js';
export { baselines, type BaselineOptions } from './baselines.js';
export { ALL_PROTOCOLS, type EvalData, type EvalProgress, type EvalReport, evaluate, type FeatureSource, type Protocols, rawPixels, SELECT_MAX_ROWS } from './evaluate.js';
export { checkFeatures, type Encoder, extractFeatures, type Features, l2Normalize, pixelFeatures, rowBlocks, selectRows, standardize, uploadLimits } from './features.js';
export { fewLabel, type FewLabelResult, fewLabelSubset } from './few-label.js';
export { copyWeights, FINETUNE_AUGMENTATION, FINETUNE_DEFAULTS, fineTune, type FineTuneOptions, type FineTuneResult, SCRATCH, trainableCopy } from './finetune.js';
export { symmetricEigenvalues } from './symmetric-eigen.js';
export { knn, type KnnOptions, knnPredict, type KnnResult, topK } from './knn.js';
export { classAccuracy, LINEAR_PROBE_DEFAULTS, linearProbe, type LinearProbeOptions, type LinearProbeResult } from './linear-probe.js';
export { charNgramFeatures, NgramLm, type TextScore, textScore } from './language.js';
export { FOLDS_BELOW_ROWS, PROBE_WEIGHT_DECAYS, type SelectedProbeOptions, type SelectedProbeResult, selectedLinearProbe, selectionSplits, weightDecayCandidates } from './probe-selection.js';
export { rankMe, type RankMeResult } from './rankme.js';
export { retrievalRecallAt1, type RetrievalResult } from './retrieval.js';
export { type ClassifierOptions, type ClassifierResult, classifierTop1, type EncoderFactory, type SupervisedOptions, type SupervisedResult, trainClassifier, trainSupervised } from './supervised.js';
export { reportTable } from './table.js';
