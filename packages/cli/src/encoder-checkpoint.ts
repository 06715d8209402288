// A run's trained encoder alone, for export, embed and evaluation on other data: the task's
// encoder of the run's architecture (sized by the run's image shape), with the checkpoint's
// `encoder.*` tensors copied in. No data is loaded and no heads or optimizer are built.
import type { HostArray } from '@pretext/core';
import { Init } from '@pretext/models';
import { type AnyTask, type Encoder, shapeOnly, type Task, type TaskConfig } from '@pretext/tasks';
import { UsageError } from './flags.js';
import { loadRun, type RunMeta } from './checkpoints.js';

export interface RunEncoder {
  task: Task<'image'>;
  cfg: TaskConfig;
  encoder: Encoder;
  meta: RunMeta;
  /** The checkpoint's path (without extension). */
  path: string;
}

const PREFIX = 'encoder.';

export async function loadEncoder(dir: string, tasks: Record<string, AnyTask>): Promise<RunEncoder> {
  const ckpt = await loadRun(dir);
  const task = tasks[ckpt.meta.task];
  if (!task) throw new UsageError(`checkpoint in ${dir} is from task '${ckpt.meta.task}', which this build does not have; valid: ${Object.keys(tasks).join(', ')}`);
  if (task.modality !== 'image') throw new UsageError(`checkpoint in ${dir} is a ${task.modality} task ('${task.id}'); export and embed take image encoders`);
  const cfg = task.parse(ckpt.meta.config, `checkpoint ${ckpt.path}`);
  const encoder = task.encoder(cfg, shapeOnly(cfg), new Init(cfg.seed));
  try {
    const names = [...ckpt.arrays.keys()].filter((k) => k.startsWith(PREFIX));
    if (!names.length) throw new UsageError(`checkpoint ${ckpt.path} holds no '${PREFIX}*' tensors; it was not written by an encoder task`);
    const state = encoder.stateDict();
    for (const [name, t] of state) {
      const a = ckpt.arrays.get(PREFIX + name);
      if (!a) throw new UsageError(`checkpoint ${ckpt.path}: tensor '${PREFIX}${name}' is missing (the run's encoder is not the architecture this build makes from its config)`);
      if (a.dtype !== t.dtype || a.shape.join() !== t.shape.join()) throw new UsageError(`checkpoint ${ckpt.path}: '${PREFIX}${name}' is ${a.dtype} [${a.shape}] but the encoder has ${t.dtype} [${t.shape}]`);
    }
    for (const n of names) if (!state.has(n.slice(PREFIX.length))) throw new UsageError(`checkpoint ${ckpt.path}: '${n}' is not in the encoder this build makes from its config`);
    for (const [name, t] of state) t.backend.write(t.storage, ckpt.arrays.get(PREFIX + name)?.data as HostArray);
  } catch (e) {
    encoder.dispose();
    throw e;
  }
  encoder.eval();
  return { task, cfg, encoder, meta: ckpt.meta, path: ckpt.path };
}
