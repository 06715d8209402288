// @pretext/cli: the `pretext` command (main.ts) and its parts, for scripts and tests.
export { type CliArgs, parseCli, PRESETS, type TrainArgs, USAGE, UsageError } from './args.js';
export { checkpointDir, loadRun, restoreRun, type RunMeta, saveRun } from './checkpoints.js';
export { BASELINES, type EvalSettings, type Evaluation, evaluateRun, PROTOCOLS } from './evaluation.js';
export { type EmbeddingMap, type Figures, writeFigures } from './figures.js';
export { MetricsLog, type MetricsRow, metricsPath, readMetrics } from './metrics.js';
export { reportPath, writeReport } from './report.js';
export { writeComparison } from './report-runs.js';
export { freshDir, RUN_FILES, takeRunDir } from './run-dir.js';
export { RunLock } from './lock.js';
export { Progress } from './progress.js';
export { COLLAPSE_STD, DivergenceError } from './health.js';
export { currentCommit, readSummary, type RunInfo, runInfo, type Summary, summaryPath } from './summary.js';
export { type RunOptions, type RunResult, runTraining } from './train.js';
