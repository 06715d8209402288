// The `pretext` subcommands, given parsed arguments and a ready backend. main.ts owns the process
// (backend, signals, exit codes); these functions return an exit code.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AnyTask, flagOf, type Modality, type Task, type TaskConfig } from '@pretext/tasks';
import { type EvalArgs, type TrainArgs, UsageError } from './args.js';
import { loadRun, restoreRun } from './checkpoints.js';
import { reportPath, writeReport } from './report.js';
import { readSummary, type RunInfo, saveSummary } from './summary.js';
import { runnerOf } from './runner.js';
import { runTraining } from './train.js';

export async function trainCommand(a: TrainArgs, info: RunInfo, shouldStop: () => boolean): Promise<number> {
  let cfg = a.task.config(a.dataset, a.preset, a.overrides);
  if (a.resume) {
    // the checkpoint's config wins; flags that contradict it are an error, not silently ignored
    const { meta } = await loadRun(a.out, a.task.id);
    const saved = a.task.parse(meta.config, `checkpoint in ${a.out}`);
    const given: Record<string, unknown> = { dataset: a.dataset, preset: a.preset, ...a.overrides };
    for (const [k, v] of Object.entries(given)) {
      if (v !== saved[k]) throw new UsageError(`--resume: ${k === 'dataset' || k === 'preset' ? `--${k}` : flagOf(k)} ${v} differs from the checkpoint's ${saved[k]} in ${a.out}; drop the flag or start a new run with another --out`);
    }
    cfg = saved;
  }
  console.log(`pretext train ${a.task.id} · ${cfg.dataset} · preset ${cfg.preset} → ${a.out}${a.resume ? ' (resumed)' : ''}`);
  console.log(`config    ${configLine(a.task, cfg)}`);
  const r = await runTraining({ task: a.task, cfg, dir: a.out, resume: a.resume, info, logEvery: a.logEvery, progress: a.progress, shouldStop, eval: { baselines: a.baselines } });
  if (r.status === 'interrupted') return 130;
  console.log(`report    ${reportPath(a.out)}`);
  return 0;
}

/** The effective config on one line: every option as the flag that sets it. */
export function configLine(task: AnyTask, cfg: TaskConfig): string {
  return Object.keys(task.options).filter((k) => cfg[k] !== undefined).map((k) => `${flagOf(k)} ${String(cfg[k])}`).join(' ');
}

export async function evalCommand(a: EvalArgs, tasks: Record<string, AnyTask>): Promise<number> {
  const ckpt = await loadRun(a.dir);
  const task = tasks[ckpt.meta.task];
  if (!task) throw new UsageError(`checkpoint in ${a.dir} is from task '${ckpt.meta.task}', which this build does not have; valid: ${Object.keys(tasks).join(', ')}`);
  return evalRun(task, ckpt, a);
}

async function evalRun<M extends Modality>(task: Task<M>, ckpt: Awaited<ReturnType<typeof loadRun>>, a: EvalArgs): Promise<number> {
  const summary = readSummary(a.dir);
  const cfg = task.parse(ckpt.meta.config, `checkpoint ${ckpt.path}`);
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

export function reportCommand(dir: string): number {
  if (!existsSync(dir)) throw new UsageError(`run directory ${dir} does not exist`);
  console.log(writeReport(dir));
  return 0;
}

/** `pnpm bench`, with the same arguments, in a child process (it owns its own WebGPU device). */
export function benchCommand(args: string[]): number {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
  const main = join(root, 'bench/src/main.ts');
  const tsx = join(root, 'node_modules/.bin/tsx');
  if (!existsSync(main) || !existsSync(tsx)) throw new UsageError(`pretext bench needs the repository checkout (${main} and ${tsx}); run \`pnpm install\` at ${root}`);
  const r = spawnSync(tsx, ['--conditions=source', main, ...args], { cwd: root, stdio: 'inherit' });
  if (r.error) throw r.error;
  return r.status ?? 1;
}
