// DIR/summary.json: what a run was (config, adapter, commit), how fast it went, and every
// evaluation with its baselines (`pretext eval` appends more).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AdapterSummary } from '@pretext/gpu';
import type { TaskConfig } from '@pretext/tasks';
import type { Evaluation } from './evaluation.js';
import type { Figures } from './figures.js';
import { readMetrics, ROW_KEYS } from './metrics.js';

export interface RunInfo {
  adapter: Omit<AdapterSummary, 'limits'>;
  /** `git rev-parse --short HEAD`, with "-dirty" when the tree has changes; "unknown" outside git. */
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

/** The commit this code runs from (best effort: "unknown" without git). */
export function currentCommit(cwd = process.cwd()): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return dirty ? `${head}-dirty` : head;
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
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Summary;
  } catch (e) {
    throw new Error(`${path} is not valid JSON (${(e as Error).message})`);
  }
}

export function saveSummary(dir: string, s: Summary): void {
  const path = summaryPath(dir);
  writeFileSync(`${path}.tmp`, JSON.stringify(s, null, 2));
  renameSync(`${path}.tmp`, path);
}

export function writeSummary(
  dir: string,
  r: { task: string; cfg: TaskConfig; info: RunInfo; startedAt: string; steps: number; trainSeconds: number; unit: string; itemsPerStep: number; wallSeconds: number; evaluation: Evaluation; figures: Figures },
): Summary {
  const last = readMetrics(dir).at(-1);
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
    evaluations: [r.evaluation],
  };
  saveSummary(dir, s);
  return s;
}
