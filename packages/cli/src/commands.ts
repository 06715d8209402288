// The `pretext` subcommands, given parsed arguments and a ready backend. main.ts owns the process
// (backend, signals, exit codes); these functions return an exit code.
import { existsSync } from 'node:fs';
import { loadSplits, type Task } from '@pretext/tasks';
import { type EvalArgs, type TrainArgs, UsageError } from './args.js';
import { loadRun, restoreRun } from './checkpoints.js';
import { evaluateRun } from './evaluation.js';
import { reportPath, writeReport } from './report.js';
import { readSummary, type RunInfo, saveSummary } from './summary.js';
import { runTraining, testLimitOf } from './train.js';

export async function trainCommand(a: TrainArgs, info: RunInfo, shouldStop: () => boolean): Promise<number> {
  const cfg = { ...a.task.config(a.dataset, a.preset) };
  if (a.epochs !== undefined) cfg.epochs = a.epochs;
  if (a.batchSize !== undefined) cfg.batchSize = a.batchSize;
  if (a.seed !== undefined) cfg.seed = a.seed;
  if (a.trainLimit !== undefined) cfg.trainLimit = a.trainLimit;
  if (a.resume) {
    // the checkpoint's config wins; flags that contradict it are an error, not silently ignored
    const { meta } = await loadRun(a.out, a.task.id);
    const given = { dataset: a.dataset, epochs: a.epochs, batchSize: a.batchSize, seed: a.seed, trainLimit: a.trainLimit } as const;
    for (const [k, v] of Object.entries(given)) {
      const saved = meta.config[k];
      if (v !== undefined && v !== saved) throw new UsageError(`--resume: ${k} ${v} differs from the checkpoint's ${saved} in ${a.out}; drop the flag or start a new run with another --out`);
    }
  }
  console.log(`pretext train ${a.task.id} · ${a.dataset} · preset ${a.preset} · epochs ${cfg.epochs} · batch ${cfg.batchSize} · seed ${cfg.seed} → ${a.out}`);
  const r = await runTraining({ task: a.task, cfg, dir: a.out, resume: a.resume, info, logEvery: a.logEvery, progress: a.progress, shouldStop, eval: { baselines: a.baselines } });
  if (r.status === 'interrupted') return 130;
  console.log(`report    ${reportPath(a.out)}`);
  return 0;
}

export async function evalCommand(a: EvalArgs, tasks: Record<string, Task>): Promise<number> {
  const ckpt = await loadRun(a.dir);
  const task = tasks[ckpt.meta.task];
  if (!task) throw new UsageError(`checkpoint in ${a.dir} is from task '${ckpt.meta.task}', which this build does not have; valid: ${Object.keys(tasks).join(', ')}`);
  const summary = readSummary(a.dir);
  const cfg = ckpt.meta.config;
  const splits = loadSplits(cfg.dataset, { trainLimit: cfg.trainLimit, testLimit: testLimitOf(cfg) });
  const state = task.build(cfg, splits.train);
  try {
    restoreRun(ckpt, state);
    console.log(`eval      ${ckpt.path} (step ${ckpt.meta.step})`);
    const ev = await evaluateRun(task, cfg, state.encoder, splits, { protocols: a.protocols, baselines: a.baselines }, (l) => console.log(l));
    summary.evaluations.push(ev);
    saveSummary(a.dir, summary);
    console.log(`report    ${writeReport(a.dir)}`);
  } finally {
    state.dispose();
  }
  return 0;
}

export function reportCommand(dir: string): number {
  if (!existsSync(dir)) throw new UsageError(`run directory ${dir} does not exist`);
  console.log(writeReport(dir));
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
