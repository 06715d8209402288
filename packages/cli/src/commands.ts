// The `pretext` subcommands, given parsed arguments and a ready backend. main.ts owns the process
// (backend, signals, exit codes); these functions return an exit code.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type AnyTask, flagOf, type Modality, type Task, type TaskConfig } from '@pretext/tasks';
import { type EvalArgs, type TrainArgs, UsageError } from './args.js';
import { checkpointDir, loadRun, restoreRun } from './checkpoints.js';
import { evalOnFolder } from './eval-folder.js';
import { RunLock } from './lock.js';
import { freshDir } from './run-dir.js';
import { reportPath, writeReport } from './report.js';
import { writeComparison } from './report-runs.js';
import { readSummary, type RunInfo, saveSummary } from './summary.js';
import { runnerOf } from './runner.js';
import { runTraining } from './train.js';

export async function trainCommand(a: TrainArgs, info: RunInfo, shouldStop: () => boolean): Promise<number> {
  // a default --out that is taken moves on to a fresh numbered directory; a named one is the user's word
  const out = a.outGiven || a.resume || a.overwrite ? a.out : freshDir(a.out);
  const saved = a.resume ? await resumedConfig(a) : undefined;
  if (!saved && !a.dataset) throw new UsageError(`pretext train ${a.task.id}: ${a.out} has no checkpoint to take the dataset from; pass --dataset`);
  const cfg = saved ?? a.task.config(a.dataset as string, a.preset, a.overrides, a.folder);
  console.log(`pretext train ${a.task.id} · ${cfg.dataset} · preset ${cfg.preset} → ${out}${a.resume ? ' (resumed)' : ''}`);
  console.log(`config    ${configLine(a.task, cfg)}`);
  if (cfg.folder) console.log(`folder    ${cfg.dataset}: ${cfg.folder.channels === 1 ? 'gray' : 'colour'} images at ${cfg.folder.size}×${cfg.folder.size}, presets and augmentation of ${cfg.folder.like}`);
  const r = await runTraining({ task: a.task, cfg, dir: out, resume: a.resume, overwrite: a.overwrite, info, logEvery: a.logEvery, progress: a.progress, progressEvery: a.progressEvery, shouldStop, eval: { baselines: a.baselines } });
  if (r.status === 'interrupted') return 130;
  console.log(`report    ${reportPath(out)}`);
  return 0;
}

/**
 * --resume: the checkpoint's config, validated by the task's schema (a hand-edited `epochs: -1` is
 * refused naming the file); flags that contradict it are an error, not silently ignored. Undefined
 * when the directory has a run that stopped before its first checkpoint (it restarts from the flags).
 */
async function resumedConfig(a: TrainArgs): Promise<TaskConfig | undefined> {
  if (existsSync(a.out) && !existsSync(join(checkpointDir(a.out), 'latest.json')) && readdirSync(a.out).length) return undefined;
  const { meta, path } = await loadRun(a.out, a.task.id);
  const saved = a.task.parse(meta.config, `checkpoint ${path}.json`);
  for (const [k, v] of Object.entries(a.given)) {
    if (v !== saved[k]) throw new UsageError(`--resume: ${k === 'dataset' || k === 'preset' ? `--${k}` : flagOf(k)} ${v} differs from the checkpoint's ${saved[k]} in ${a.out}; drop the flag or start a new run with another --out`);
  }
  return saved;
}

/** The effective config on one line: every option as the flag that sets it. */
export function configLine(task: AnyTask, cfg: TaskConfig): string {
  return Object.keys(task.options).filter((k) => cfg[k] !== undefined).map((k) => `${flagOf(k)} ${String(cfg[k])}`).join(' ');
}

export async function evalCommand(a: EvalArgs, tasks: Record<string, AnyTask>): Promise<number> {
  if (a.dataset) return evalOnFolder(a, a.dataset, tasks);
  const ckpt = await loadRun(a.dir);
  const task = tasks[ckpt.meta.task];
  if (!task) throw new UsageError(`checkpoint in ${a.dir} is from task '${ckpt.meta.task}', which this build does not have; valid: ${Object.keys(tasks).join(', ')}`);
  const lock = RunLock.acquire(a.dir, (l) => console.log(l)); // it writes summary.json and report.html: one writer at a time
  try {
    return await evalRun(task, ckpt, a);
  } finally {
    lock.release();
  }
}

async function evalRun<M extends Modality>(task: Task<M>, ckpt: Awaited<ReturnType<typeof loadRun>>, a: EvalArgs): Promise<number> {
  const summary = readSummary(a.dir);
  const cfg = task.parse(ckpt.meta.config, `checkpoint ${ckpt.path}.json`);
  const runner = runnerOf(task);
  const splits = runner.load(cfg);
  const state = task.build(cfg, runner.train(splits));
  try {
    restoreRun(ckpt, state);
    console.log(`eval      ${ckpt.path} (step ${ckpt.meta.step})`);
    const ev = await runner.evaluate(task, cfg, state, splits, { protocols: a.protocols, baselines: a.baselines }, (l) => console.log(l));
    summary.evaluations.push(ev);
    saveSummary(a.dir, summary);
    console.log(`report    ${writeReport(a.dir)}`);
  } finally {
    state.dispose();
  }
  return 0;
}

export function reportCommand(dirs: string[], out?: string): number {
  for (const dir of dirs) if (!existsSync(dir)) throw new UsageError(`run directory ${dir} does not exist`);
  console.log(dirs.length === 1 ? writeReport(dirs[0]) : writeComparison(dirs, out ?? 'report-compare.html'));
  return 0;
}

/** `pnpm bench` with the same arguments: @pretext/bench's `bench`, run before any device is made here. */
export async function benchCommand(args: string[]): Promise<number> {
  // imported on demand: the bench (and its tfjs peer) is a dev dependency, loaded only for this command
  const bench = await import('@pretext/bench').catch((e: Error) => {
    throw new UsageError(`pretext bench runs from the repository checkout (\`pnpm pretext bench\`), where @pretext/bench is installed (${e.message})`);
  });
  return bench.bench(args);
}
