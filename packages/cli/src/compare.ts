// `pretext compare`: every task trained on one dataset with the same encoder, data, evaluation and
// budget, one normal run directory each, and one table of them all (compare-table.ts), after the
// tables lightly publishes for CIFAR-10. Read top to bottom: configs → data → checks → budget plan
// (every error before any training) → one run per task → the table.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { noGrad, tensor, tidy } from '@pretext/core';
import type { EvalReport, FineTuneResult } from '@pretext/eval';
import { Init } from '@pretext/models';
import { type AnyTask, DatasetError, type EvalSets, flagOf, OptionError, type Task, type TaskConfig } from '@pretext/tasks';
import { type Budget, budgetText, type CompareArgs, SHARED } from './compare-args.js';
import { compareHtml, compareMarkdown } from './compare-table.js';
import type { Evaluation } from './evaluation.js';
import { UsageError } from './flags.js';
import { imageRunner } from './image-runner.js';
import { adapterLine } from './report.js';
import type { RunInfo } from './summary.js';
import { runTraining } from './train.js';

/** One task's row: what it trained and what its evaluation found (or why it has none). */
export interface CompareRun {
  task: string;
  /** Its run directory, relative to the comparison's. */
  dir?: string;
  status: 'trained' | 'skipped' | 'failed';
  why?: string;
  steps?: number;
  plannedSteps?: number;
  /** The time budget ran out before the planned steps. */
  timeUp?: boolean;
  trainSeconds?: number;
  wallSeconds?: number;
  itemsPerSec?: number;
  /** The trained encoder's evaluation (the run's first report). */
  report?: EvalReport;
  /** Its random-init baseline fine-tuned (from scratch): what its fine-tuning is measured against. */
  scratch?: FineTuneResult[];
  /** Its encoder differs from the first trained task's, so its baselines (in its report) are not the table's. */
  ownBaselines?: boolean;
  pretext?: Evaluation['pretext'];
}

export interface CompareResult {
  dataset: string;
  preset: string;
  budget: Budget;
  /** The command line that made it. */
  command: string;
  commit: string;
  adapter: string;
  startedAt: string;
  finishedAt: string;
  /** The options every task shared (encoder, data, evaluation), by option name. */
  shared: Record<string, unknown>;
  nTrain: number;
  nTest: number;
  runs: CompareRun[];
  /** The baselines (raw pixels, random init / scratch, supervised) of the shared encoder. */
  baselines: EvalReport[];
}

export interface CompareOptions {
  info: RunInfo;
  /** How the comparison was asked for (compare.json and the tables quote it). */
  command: string;
  log?: (line: string) => void;
  /** Data to use instead of what the shared config loads (tests). */
  splits?: EvalSets;
}

interface Planned {
  task: Task<'image'>;
  cfg: TaskConfig;
  plannedSteps: number;
}

export async function runCompare(a: CompareArgs, opts: CompareOptions): Promise<CompareResult> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const startedAt = new Date().toISOString();
  if (existsSync(a.out) && readdirSync(a.out).length > 0) throw new UsageError(`output directory ${a.out} already exists and is not empty; pick another with --out`);

  // 1. the tasks that train on this dataset (the others are skipped, with the reason in the table)
  const runs: CompareRun[] = [];
  const skip = (t: AnyTask, why: string) => {
    log(`compare   skipping ${t.id}: ${why}`);
    runs.push({ task: t.id, status: 'skipped', why });
  };
  const noneTrains = () => new UsageError(`none of --tasks ${a.tasks.map((t) => t.id).join(',')} trains on ${a.dataset}: ${runs.map((r) => `${r.task} ${r.why}`).join('; ')}`);
  let image: Task<'image'>[] = [];
  for (const t of a.tasks) {
    if (t.modality === 'image' && (t.datasets as readonly string[]).includes(a.dataset)) image.push(t);
    else skip(t, `does not train on ${a.dataset} (datasets: ${t.datasets.join(', ')})`);
  }
  if (!image.length) throw noneTrains();

  // 2. one config per task: its preset, with the shared options (encoder, data, evaluation) set alike
  const shared = sharedValues(image[0], a);
  const configOf = (t: Task<'image'>, extra: Record<string, unknown> = {}) => {
    try {
      return t.config(a.dataset, a.preset, { ...onlyOwn(t, shared), ...extra });
    } catch (e) {
      if (e instanceof OptionError) throw new UsageError(`${t.id}: ${e.message}`);
      throw e;
    }
  };
  const epochs = a.budget.kind === 'epochs' && Number.isInteger(a.budget.epochs) ? { epochs: a.budget.epochs } : {};
  let cfgs = image.map((t) => configOf(t, epochs));

  // 3. the data, loaded once (the shared limits make it the same for every task), and each task's
  //    checks: a dataset that does not suit a task (colour for colorization) skips it, any other
  //    bad option stops the comparison
  const splits = opts.splits ?? imageRunner.load(cfgs[0]);
  const suited = image.map((t, i) => {
    try {
      t.check(cfgs[i], splits.train);
      return true;
    } catch (e) {
      if (e instanceof DatasetError) {
        skip(t, e.message);
        return false;
      }
      if (e instanceof OptionError) throw new UsageError(`${t.id}: ${e.message}`);
      throw e;
    }
  });
  image = image.filter((_, i) => suited[i]);
  cfgs = cfgs.filter((_, i) => suited[i]);
  if (!image.length) throw noneTrains();

  // 4. the budget as steps per task; a budget too small for one step is an error before any training
  const plans: Planned[] = [];
  for (const [i, t] of image.entries()) {
    const bpe = imageRunner.loader(splits.train, cfgs[i]).batchesPerEpoch;
    const steps = await plannedSteps(t, cfgs[i], splits, bpe, a.budget, log);
    cfgs[i] = configOf(t, { ...epochs, ...(Object.keys(epochs).length ? {} : { steps, epochs: Math.max(1, Math.ceil(steps / bpe)) }) });
    plans.push({ task: t, cfg: cfgs[i], plannedSteps: steps });
  }
  cfgs = plans.map((p) => p.cfg);

  // 5. one normal run per task; baselines run once per distinct encoder and are reused by the others
  mkdirSync(a.out, { recursive: true });
  const baselinesBy = new Map<string, EvalReport[]>();
  let firstKey: string | undefined;
  for (const [i, { task, cfg, plannedSteps: planned }] of plans.entries()) {
    log(`\n== ${task.id} (${i + 1}/${plans.length}): ${planned} steps, ${budgetText(a.budget)} budget → ${join(a.out, task.id)}`);
    const key = await encoderKey(task, cfg, splits);
    const reuse = baselinesBy.get(key);
    try {
      const r = await runTraining({
        task, cfg, dir: join(a.out, task.id), resume: false, info: opts.info, splits, progress: a.progress, log,
        timeLimit: a.budget.kind === 'minutes' ? 60 * a.budget.minutes : undefined,
        eval: { baselines: a.baselines, baselineReports: reuse },
      });
      const s = r.summary;
      const ev = s?.evaluations.at(-1);
      if (!s || !ev) throw new Error('the run ended without an evaluation');
      if (!reuse) baselinesBy.set(key, ev.reports.slice(1));
      firstKey ??= key;
      runs.push({
        task: task.id, dir: task.id, status: 'trained', steps: s.steps, plannedSteps: planned, timeUp: s.steps < planned,
        trainSeconds: s.trainSeconds, wallSeconds: s.wallSeconds, itemsPerSec: s.itemsPerSec, report: ev.reports[0], pretext: ev.pretext,
        scratch: ev.reports.find((r) => r.baseline === 'random-init')?.fineTune, ...(key === firstKey ? {} : { ownBaselines: true }),
      });
    } catch (e) {
      const why = (e as Error).message;
      log(`compare   ${task.id} failed: ${why}`);
      runs.push({ task: task.id, dir: task.id, status: 'failed', why });
    }
  }

  // 6. the table: compare.json, results.md, results.html
  const order = a.tasks.map((t) => t.id);
  runs.sort((x, y) => order.indexOf(x.task) - order.indexOf(y.task));
  const result: CompareResult = {
    dataset: a.dataset, preset: a.preset, budget: a.budget, command: opts.command, commit: opts.info.commit, adapter: adapterLine(opts.info.adapter),
    startedAt, finishedAt: new Date().toISOString(), shared, nTrain: splits.train.shape[0], nTest: splits.test.shape[0], runs,
    baselines: (firstKey && baselinesBy.get(firstKey)) || [],
  };
  writeFileSync(join(a.out, 'compare.json'), JSON.stringify(result, null, 2));
  writeFileSync(join(a.out, 'results.md'), compareMarkdown(result));
  writeFileSync(join(a.out, 'results.html'), compareHtml(result));
  log(`\n${compareMarkdown(result)}`);
  return result;
}

/** The shared options' values: flags first, else the first task's preset. */
function sharedValues(first: Task<'image'>, a: CompareArgs): Record<string, unknown> {
  let ref: TaskConfig;
  try {
    ref = first.config(a.dataset, a.preset, onlyOwn(first, a.shared));
  } catch (e) {
    if (e instanceof OptionError) throw new UsageError(`${first.id}: ${e.message}`);
    throw e;
  }
  for (const k of Object.keys(a.shared)) if (!Object.hasOwn(first.options, k)) throw new UsageError(`${flagOf(k)}: task '${first.id}' has no such option`);
  const out: Record<string, unknown> = {};
  for (const t of a.tasks) {
    for (const k of Object.keys(SHARED)) {
      if (ref[k] !== undefined && !Object.hasOwn(t.options, k) && (t.datasets as readonly string[]).includes(a.dataset)) {
        throw new UsageError(`compare trains every task with the same encoder and data, but task '${t.id}' has no ${flagOf(k)} (set to ${String(ref[k])} by ${first.id})`);
      }
    }
  }
  for (const k of Object.keys(SHARED)) out[k] = ref[k];
  return out;
}

/** The values of `values` that are options of the task. */
const onlyOwn = (t: AnyTask, values: Record<string, unknown>) => Object.fromEntries(Object.entries(values).filter(([k]) => Object.hasOwn(t.options, k)));

/**
 * Steps of `task` that fit the budget: epochs × batches per epoch, or the minutes over the time a
 * step takes here, timed on a throwaway state (one step to build its pipelines, then two timed).
 */
async function plannedSteps(task: Task<'image'>, cfg: TaskConfig, splits: EvalSets, bpe: number, budget: Budget, log: (l: string) => void): Promise<number> {
  if (budget.kind === 'epochs') {
    const steps = Math.floor(budget.epochs * bpe);
    if (steps < 1) throw new UsageError(`--budget ${budget.epochs}ep is less than one step of ${task.id} (${bpe} batches of ${cfg.batchSize} per epoch); it needs at least ${+(1 / bpe).toPrecision(3)} epochs`);
    return steps;
  }
  const state = task.build(cfg, splits.train);
  let perStep: number;
  try {
    const batches: Parameters<typeof state.step>[0][] = [];
    for await (const b of imageRunner.loader(splits.train, cfg).epoch(0)) {
      batches.push(b);
      if (batches.length === 3) break;
    }
    await state.step(batches[0], 0, 3);
    const t0 = performance.now();
    for (let i = 1; i < batches.length; i++) await state.step(batches[i], i, 3);
    perStep = (performance.now() - t0) / 1000 / Math.max(1, batches.length - 1);
  } finally {
    state.dispose();
  }
  const steps = Math.floor((60 * budget.minutes) / perStep);
  log(`compare   ${task.id}: a step takes ${perStep.toFixed(2)} s here → ${steps} steps in ${budget.minutes} min`);
  if (steps < 1) throw new UsageError(`--budget ${budget.minutes}min is less than one step of ${task.id} (a step takes ${perStep.toFixed(1)} s here); give at least ${+(perStep / 60).toPrecision(2)} min`);
  return steps;
}

/**
 * What makes two tasks' baselines the same: the untrained encoder's parameter names and shapes and
 * its features for two training images (grid and downsample change no shape, but change these).
 */
async function encoderKey(task: Task<'image'>, cfg: TaskConfig, splits: EvalSets): Promise<string> {
  const enc = task.encoder(cfg, splits.train, new Init(cfg.seed));
  try {
    const [n, c, h, w] = splits.train.shape;
    const k = Math.min(2, n);
    const f = noGrad(() => tidy(() => enc.eval().forward(tensor(splits.train.images.subarray(0, k * c * h * w), [k, c, h, w]))));
    const values = Array.from(await f.data(), (x) => x.toPrecision(6));
    f.dispose();
    return JSON.stringify([enc.namedParameters().map(([name, t]) => [name, t.shape]), enc.featureDim, values]);
  } finally {
    enc.dispose();
  }
}
