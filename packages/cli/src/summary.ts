// DIR/summary.json: what a run was (config, adapter, commit), how fast it went, and every
// evaluation with its baselines (`pretext eval` appends more).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AdapterSummary } from '@pretext/gpu';
import type { TaskConfig } from '@pretext/tasks';
import type { Evaluation } from './evaluation.js';
import type { Figures } from './figures.js';
import { readMetrics, ROW_KEYS } from './metrics.js';
import { writeFileSafe } from './safe-fs.js';

export interface RunInfo {
  adapter: Omit<AdapterSummary, 'limits'>;
  /** The project checkout's `git rev-parse --short HEAD`, "-dirty" when it has changes; "unknown" outside git. */
  commit: string;
}

export interface Summary {
  task: string;
  dataset: string;
  preset: string;
  config: TaskConfig;
  adapter: RunInfo['adapter'];
  commit: string;
  startedAt: string;
  finishedAt: string;
  /** Seconds of this session (training, evaluation, figures). */
  wallSeconds: number;
  /** Seconds of training over every session of the run. */
  trainSeconds: number;
  steps: number;
  /** What a step's items are (images, tokens) and their training rate. */
  unit: string;
  itemsPerSec: number;
  /** The task's metrics at the last logged step. */
  final?: Record<string, number>;
  figures: Figures;
  evaluations: Evaluation[];
}

export const summaryPath = (dir: string): string => join(dir, 'summary.json');

/** The checkout this code runs from: packages/cli/{src,dist}/ → the repository root. */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * The commit of the project's own checkout (best effort: "unknown" when it is not one). git runs
 * in the project root and may not look above it, so the directory the user stands in (and its
 * repository's config) plays no part.
 */
export function currentCommit(root = PROJECT_ROOT): string {
  // the pretext checkout itself (installed from npm, ../../.. is the user's project: not ours to report)
  if (!existsSync(join(root, '.git')) || !existsSync(join(root, 'packages/cli/src/main.ts'))) return 'unknown';
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_CEILING_DIRECTORIES: dirname(root) };
  for (const k of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_CONFIG', 'GIT_CONFIG_PARAMETERS']) delete env[k];
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    const head = git('rev-parse', '--short', 'HEAD');
    return git('status', '--porcelain', '--untracked-files=no') ? `${head}-dirty` : head;
  } catch {
    return 'unknown';
  }
}

export function runInfo(adapter: AdapterSummary): RunInfo {
  const { limits: _limits, ...rest } = adapter;
  return { adapter: rest, commit: currentCommit() };
}

export function readSummary(dir: string): Summary {
  const path = summaryPath(dir);
  if (!existsSync(path)) throw new Error(`${path} not found; is ${dir} a finished \`pretext train\` run?`);
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path} is not valid JSON (${(e as Error).message})`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error(`${path} must hold a JSON object (a run's summary)`);
  const s = v as Summary;
  if (!Array.isArray(s.evaluations)) throw new Error(`${path}: 'evaluations' must be a list`);
  return s;
}

export function saveSummary(dir: string, s: Summary): void {
  writeFileSafe(summaryPath(dir), JSON.stringify(s, null, 2));
}

/** The evaluations an earlier session of this run saved (`pretext eval` results of a finished run that is resumed). */
function earlierEvaluations(dir: string, task: string): Evaluation[] {
  if (!existsSync(summaryPath(dir))) return [];
  const prev = readSummary(dir);
  return prev.task === task && Array.isArray(prev.evaluations) ? prev.evaluations : [];
}

export function writeSummary(
  dir: string,
  r: { task: string; cfg: TaskConfig; info: RunInfo; startedAt: string; steps: number; trainSeconds: number; unit: string; itemsPerStep: number; wallSeconds: number; evaluation: Evaluation; figures: Figures },
): Summary {
  const last = readMetrics(dir).at(-1);
  const earlier = earlierEvaluations(dir, r.task);
  const s: Summary = {
    task: r.task,
    dataset: r.cfg.dataset,
    preset: r.cfg.preset,
    config: r.cfg,
    adapter: r.info.adapter,
    commit: r.info.commit,
    startedAt: r.startedAt,
    finishedAt: new Date().toISOString(),
    wallSeconds: r.wallSeconds,
    trainSeconds: r.trainSeconds,
    steps: r.steps,
    unit: r.unit,
    itemsPerSec: (r.steps * r.itemsPerStep) / Math.max(r.trainSeconds, 1e-9),
    final: last && Object.fromEntries(Object.entries(last).filter(([k]) => !(ROW_KEYS as readonly string[]).includes(k))),
    figures: r.figures,
    evaluations: [...earlier, r.evaluation],
  };
  saveSummary(dir, s);
  return s;
}
