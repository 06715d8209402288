// @pretext/bench: the kernel benchmark harness (`pnpm bench`), usable as a library too.
export { bench } from './bench.js';
export type { BenchCase, BenchInstance, BenchSetupOptions, PeerInstance, Tf } from './case.js';
export { type Change, type Comparison, compareReports, formatComparison, ratioMetrics } from './compare.js';
export { casePattern, findBenchFiles, KERNELS_SRC, type LoadedCase, loadCases, selectCases } from './discover.js';
export { type MeasureOptions, measureCase, measurePeer } from './measure.js';
export { peerSync, peerTf } from './peer.js';
export {
  adapterSlug,
  applyCeilings,
  type BenchReport,
  type CaseResult,
  type Ceilings,
  ceilingsFrom,
  formatMarkdown,
  formatTable,
  type PeerResult,
  resultBaseName,
} from './report.js';
export { gitCommit, type RunConfig, runBench } from './run.js';
export { median, timeReps } from './stats.js';
export { isTrainingCase, measureStep, type StepInstance, type TrainingCase, type TrainingMetrics, trainingCases } from './training/index.js';
