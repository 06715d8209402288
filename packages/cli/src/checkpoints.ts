// A training run's checkpoint: every module's state dict under its prefix, the optimizer's flat
// state storages, the task's extra tensors, and a JSON sidecar with where the loop stands
// (step, epoch, batch), the config, the adapter and the commit. The files are written atomically
// by '@pretext/core/checkpoint' (temp file + fsync + rename; latest.json switches last).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor } from '@pretext/core';
import { type LoadedCheckpoint, loadCheckpoint, restoreInto, saveCheckpoint } from '@pretext/core/checkpoint';
import type { TaskConfig, TrainState } from '@pretext/tasks';
import { UsageError } from './args.js';

export type RunMeta = {
  /** Optimisation steps done (the next step's index). */
  step: number;
  /** Where the loop continues: batch `batch` of epoch `epoch` (batch = 0 at an epoch boundary). */
  epoch: number;
  batch: number;
  task: string;
  config: TaskConfig;
  /** The optimizer's own update count (Adam's bias correction t). */
  optimizerStep: number;
  adapter: string;
  commit: string;
  /** Seconds spent training before this checkpoint (summed over resumed sessions). */
  trainSeconds: number;
  complete: boolean;
};

export const checkpointDir = (runDir: string): string => join(runDir, 'checkpoints');

/** Every tensor a checkpoint holds, by name; `release` disposes the temporary views made for it. */
function stateTensors(state: TrainState): { tensors: Map<string, Tensor>; release: () => void } {
  const tensors = new Map<string, Tensor>();
  const temps: Tensor[] = [];
  for (const [prefix, module] of Object.entries(state.modules)) {
    for (const [name, t] of module.stateDict()) tensors.set(`${prefix}.${name}`, t);
  }
  // The optimizer's state (momenta, Adam's m and v) lives in flat storages: view each as a tensor.
  const arena = state.optimizer.arena;
  for (const [name, s] of state.optimizer.stateTensors()) {
    const t = new Tensor(arena.backend.view(s, s.shape), arena.backend);
    temps.push(t);
    tensors.set(name, t);
  }
  for (const [name, t] of state.extraState()) tensors.set(`extra.${name}`, t);
  return { tensors, release: () => { for (const t of temps) t.dispose(); } };
}

export async function saveRun(runDir: string, state: TrainState, meta: Omit<RunMeta, 'optimizerStep'>): Promise<void> {
  const { tensors, release } = stateTensors(state);
  try {
    await saveCheckpoint(checkpointDir(runDir), tensors, { ...meta, optimizerStep: state.optimizer.step });
  } finally {
    release();
  }
}

/**
 * The latest checkpoint of a run directory, checked to belong to `task` (when given). Reads only:
 * a failed check leaves every file as it was.
 */
export async function loadRun(runDir: string, task?: string): Promise<LoadedCheckpoint & { meta: RunMeta }> {
  if (!existsSync(runDir)) throw new UsageError(`run directory ${runDir} does not exist`);
  if (!existsSync(join(checkpointDir(runDir), 'latest.json'))) throw new UsageError(`no checkpoint in ${runDir} (expected ${join(checkpointDir(runDir), 'latest.json')}); is it a \`pretext train\` run directory?`);
  const ckpt = await loadCheckpoint(checkpointDir(runDir));
  const meta = ckpt.meta as RunMeta;
  if (typeof meta.task !== 'string' || !meta.config) throw new UsageError(`checkpoint ${ckpt.path} has no task or config in its metadata; it was not written by \`pretext train\``);
  if (task !== undefined && meta.task !== task) throw new UsageError(`checkpoint in ${runDir} is from task '${meta.task}', not '${task}'; resume it with \`pretext train ${meta.task} … --resume\` or pick another --out`);
  return { ...ckpt, meta };
}

/** Copies a checkpoint's tensors into a freshly built state and restores the optimizer's step count. */
export function restoreRun(ckpt: LoadedCheckpoint & { meta: RunMeta }, state: TrainState): void {
  const { tensors, release } = stateTensors(state);
  try {
    restoreInto(ckpt, tensors);
  } finally {
    release();
  }
  state.optimizer.step = ckpt.meta.optimizerStep;
}
