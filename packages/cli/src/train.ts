// The trainer: one loop, read top to bottom (after nanoGPT's train.py). Data → task → epochs of
// steps with a log line each and a checkpoint each epoch → evaluation → summary and report.
// Each step's metrics are checked (health.ts); a lost device is reopened and the run continues
// from its last checkpoint (device-loss.ts).
// Resuming restores step, epoch, batch position, parameters, buffers, optimizer state and the
// task's extra tensors; the loader is deterministic per (seed, epoch, batch) and tasks derive
// augmentation seeds from the global step, so a resumed run retraces the uninterrupted one.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Modality, SplitsOf, Task, TaskConfig } from '@pretext/tasks';
import { checkpointDir, loadRun, restoreRun, saveRun } from './checkpoints.js';
import type { EvalSettings } from './evaluation.js';
import { deviceLost, MAX_DEVICE_RECOVERIES, reopenDevice } from './device-loss.js';
import { checkStep, collapseWarning } from './health.js';
import { MetricsLog, type MetricsRow } from './metrics.js';
import { activeProfiler, reportProfile } from './profile.js';
import { Progress } from './progress.js';
import { writeReport } from './report.js';
import { batchTooLarge } from './batch-check.js';
import { runnerOf } from './runner.js';
import { takeRunDir } from './run-dir.js';
import { type RunInfo, type Summary, writeSummary } from './summary.js';

export interface RunOptions<M extends Modality = Modality> {
  task: Task<M>;
  /** The config of a new run (ignored on resume: the checkpoint's config is used). */
  cfg: TaskConfig;
  dir: string;
  resume: boolean;
  /** Delete a previous run in `dir` (only pretext's own files) and start over. */
  overwrite?: boolean;
  info: RunInfo;
  /** Write a metrics row every this many steps (default 1). */
  logEvery?: number;
  progress?: boolean;
  /** Off a terminal: a progress line every this many steps (default ~50 a run). */
  progressEvery?: number;
  /** Data to use instead of what the config loads (tests). */
  splits?: SplitsOf<M>;
  /** Polled after each step (1-based, as metrics.jsonl counts); true → save a checkpoint and return 'interrupted' (SIGINT). */
  shouldStop?: (step: number) => boolean;
  /** Seconds of training after which it stops at the end of the current step and the run goes on to evaluation (a time budget). */
  timeLimit?: number;
  /** Which protocols and baselines to run after training. */
  eval?: EvalSettings;
  /** Test images in the embedding map (default 1000). */
  mapPoints?: number;
  log?: (line: string) => void;
}

export interface RunResult {
  status: 'complete' | 'interrupted';
  step: number;
  summary?: Summary;
}

export async function runTraining<M extends Modality>(opts: RunOptions<M>): Promise<RunResult> {
  const log = opts.log ?? ((l: string) => console.log(l));
  // the run directory: locked against a second writer, checked, temp files of killed writes gone
  const runDir = await takeRunDir(opts.dir, { resume: opts.resume, overwrite: opts.overwrite ?? false, log });
  try {
    let ckpt = runDir.resume ? await loadRun(opts.dir, opts.task.id) : null;
    for (let recoveries = 0; ; recoveries++) {
      try {
        return await train(opts, ckpt, log);
      } catch (e) {
        // a lost device: report it, open a new one, continue from the last checkpoint
        const reason = await deviceLost();
        if (!reason || recoveries === MAX_DEVICE_RECOVERIES) throw e;
        await reopenDevice();
        ckpt = hasCheckpoint(opts.dir) ? await loadRun(opts.dir, opts.task.id) : null;
        log(`device    lost (${reason}; ${(e as Error).message.split('\n')[0]}); reopened it, continuing from ${ckpt ? `the checkpoint at step ${ckpt.meta.step}` : 'step 0 (no checkpoint yet)'}`);
      }
    }
  } finally {
    runDir.lock.release();
  }
}

const hasCheckpoint = (dir: string) => existsSync(join(checkpointDir(dir), 'latest.json'));

async function train<M extends Modality>(opts: RunOptions<M>, ckpt: Awaited<ReturnType<typeof loadRun>> | null, log: (line: string) => void): Promise<RunResult> {
  const logEvery = opts.logEvery ?? 1;
  const runner = runnerOf(opts.task);
  const cfg = ckpt ? opts.task.parse(ckpt.meta.config, `checkpoint ${ckpt.path}.json`) : opts.cfg;
  const startedAt = new Date().toISOString();
  const sessionStart = performance.now();

  // load data: the train split (a subset with trainLimit) and the test split
  const splits = opts.splits ?? runner.load(cfg);
  const train = runner.train(splits);
  const loader = runner.loader(train, cfg);
  const totalSteps = cfg.steps ?? cfg.epochs * loader.batchesPerEpoch;
  log(`data      ${runner.describe(splits, loader, cfg)}`);
  // a step takes one full batch: a training set smaller than that would train nothing (or, with --steps, never end)
  if (loader.batchesPerEpoch < 1) throw batchTooLarge(cfg, runner.describe(splits, loader, cfg).split('\n')[0]);

  // build the task: model, optimizer, augmentations (checks the config against the data first); on resume, load the checkpoint into it
  const state = opts.task.build(cfg, train);
  let step = 0;
  let epoch = 0;
  let batchInEpoch = 0;
  let trainSeconds = 0;
  let lastCheckpoint: number | undefined;
  if (ckpt) {
    restoreRun(ckpt, state);
    ({ step, epoch, batch: batchInEpoch, trainSeconds } = ckpt.meta);
    lastCheckpoint = step;
    log(`resume    ${ckpt.path}: step ${step}/${totalSteps}, epoch ${epoch + 1}, batch ${batchInEpoch}`);
  }
  runner.prepare?.(opts.dir, splits);
  const metrics = new MetricsLog(opts.dir, step);
  const elapsed = () => trainSeconds + (performance.now() - sessionStart) / 1000;
  const checkpoint = async (complete: boolean) => {
    await saveRun(opts.dir, state, { step, epoch, batch: batchInEpoch, task: opts.task.id, config: cfg, adapter: opts.info.adapter.description, commit: opts.info.commit, trainSeconds: elapsed(), complete });
    lastCheckpoint = step;
  };

  // PRETEXT_PROFILE=1: each step a span on the trace's host track
  const profiler = await activeProfiler(log);
  try {
    // train: every batch of every epoch from where we stand
    const progress = opts.progress === false ? null : new Progress({ total: totalSteps, start: step, stepsPerEpoch: loader.batchesPerEpoch, epochs: cfg.epochs, unit: runner.unit, itemsPerStep: runner.itemsPerStep(cfg), every: opts.progressEvery, log });
    let lastLog = { step, time: elapsed() };
    let warned = false;
    try {
      const loopStart = performance.now();
      let late = false;
      while (step < totalSteps && !late) {
        for await (const batch of loader.epoch(epoch, batchInEpoch)) {
          // one optimisation step (the task reads back only its metrics, ‖θ‖ among them)
          const m = profiler ? await profiler.span(`step ${step}`, () => state.step(batch, step, totalSteps)) : await state.step(batch, step, totalSteps);
          step++;
          batchInEpoch++;
          checkStep(opts.task, cfg, step, epoch, m, lastCheckpoint);
          const collapse = warned ? undefined : collapseWarning(opts.task, cfg, step, m);
          if (collapse) {
            log(collapse);
            warned = true; // once a session: the curve in the report shows the rest
          }

          // log: a metrics row every logEvery steps, at the end of each epoch and at the last step
          const epochEnd = batchInEpoch === loader.batchesPerEpoch;
          if (step % logEvery === 0 || epochEnd || step === totalSteps) {
            const now = elapsed();
            const row: MetricsRow = { step, epoch, ...m, itemsPerSec: ((step - lastLog.step) * runner.itemsPerStep(cfg)) / Math.max(now - lastLog.time, 1e-9), time: now };
            metrics.append(row);
            lastLog = { step, time: now };
          }
          progress?.update(step, epoch, m, epochEnd);

          // interrupted (Ctrl-C): checkpoint where we stand, resume continues with the next batch
          if (opts.shouldStop?.(step)) {
            if (epochEnd) [epoch, batchInEpoch] = [epoch + 1, 0];
            progress?.stop();
            await checkpoint(false);
            log(`\nstopped   at step ${step}/${totalSteps}; checkpoint saved. Continue with --resume --out ${opts.dir}`);
            return { status: 'interrupted', step };
          }
          // the planned steps are done (--steps), or the time budget is spent
          late = opts.timeLimit !== undefined && performance.now() - loopStart >= 1000 * opts.timeLimit && step < totalSteps;
          if (step >= totalSteps || late) break;
        }
        // checkpoint at the end of each epoch (position: start of the next one), at the last step and at the deadline
        if (batchInEpoch === loader.batchesPerEpoch) [epoch, batchInEpoch] = [epoch + 1, 0];
        await checkpoint(step >= totalSteps || late);
      }
      if (late) log(`budget    time is up after step ${step} of ${totalSteps} planned`);
    } finally {
      progress?.stop();
    }

    // evaluate: the protocols on the frozen encoder, next to their baselines
    const trainDone = elapsed();
    log(`trained   ${step} steps in ${trainDone.toFixed(1)} s (${((step * runner.itemsPerStep(cfg)) / Math.max(trainDone, 1e-9)).toFixed(1)} ${runner.unit}/s)`);
    if (profiler) await reportProfile(opts.dir, log);
    const evaluation = await runner.evaluate(opts.task, cfg, state, splits, opts.eval ?? {}, log);

    // figures, summary.json and report.html
    const figures = await runner.figures(opts.dir, opts.task, cfg, state, splits, { mapPoints: opts.mapPoints ?? 1000 });
    const summary = writeSummary(opts.dir, {
      task: opts.task.id, cfg, info: opts.info, startedAt, steps: step, trainSeconds: trainDone, unit: runner.unit, itemsPerStep: runner.itemsPerStep(cfg),
      wallSeconds: (performance.now() - sessionStart) / 1000, evaluation, figures,
    });
    writeReport(opts.dir);
    return { status: 'complete', step, summary };
  } finally {
    state.dispose();
  }
}
