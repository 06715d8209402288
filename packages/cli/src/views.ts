// What the CLI needs from a task beyond the Task interface, found without changing it: the
// augmentation pipeline (for the report's grid and the alignment pairs) and a factory for the
// bare encoder (for the random-init and supervised baselines).
import { augment, noGrad, tensor, tidy } from '@pretext/core';
import type { ImageDataset } from '@pretext/data';
import type { EncoderFactory } from '@pretext/eval';
import type { Pipeline } from '@pretext/kernels';
import { simclrAugmentation, type Task, type TaskConfig } from '@pretext/tasks';

/** Optional members a task may provide; the CLI falls back to generic behaviour without them. */
export interface TaskExtras {
  /** The two-view augmentation the task trains with. */
  augmentation?(cfg: TaskConfig): Pipeline;
  /** A fresh, untrained encoder of the task's architecture. */
  encoderFactory?(cfg: TaskConfig, data: ImageDataset): EncoderFactory;
}

/** The task's augmentation pipeline, or null when the task does not say. */
export function augmentationOf(task: Task, cfg: TaskConfig): Pipeline | null {
  const extras = task as Task & TaskExtras;
  if (extras.augmentation) return extras.augmentation(cfg);
  if (task.id === 'simclr') return simclrAugmentation(cfg.dataset, typeof cfg.jitter === 'number' ? cfg.jitter : 0.5);
  return null;
}

/**
 * The task's encoder at a fresh init. Without task.encoderFactory: build the whole task with the
 * init's seed and free everything but the encoder (its parameters survive the optimizer's arena:
 * storages are reference counted).
 */
export function encoderFactoryOf(task: Task, cfg: TaskConfig, data: ImageDataset): EncoderFactory {
  const extras = task as Task & TaskExtras;
  if (extras.encoderFactory) return extras.encoderFactory(cfg, data);
  return (init) => {
    const state = task.build({ ...cfg, seed: init.seed }, data);
    const own = new Set(state.encoder.stateDict().values());
    for (const m of Object.values(state.modules)) for (const t of m.stateDict().values()) if (!own.has(t)) t.dispose();
    for (const t of state.extraState().values()) if (!own.has(t)) t.dispose();
    const opt = state.optimizer;
    const b = opt.arena.backend;
    opt.zeroGrad();
    b.release(opt.grads);
    for (const s of opt.state) b.release(s);
    b.release(opt.arena.flat);
    return state.encoder;
  };
}

/**
 * Two augmented views of every image, on the GPU in batches: row i of a and of b are views of
 * image i (the positives of the alignment metric). Seeds derive from `seed` and the batch.
 */
export async function augmentedPairs(ds: ImageDataset, pipeline: Pipeline, seed: number, batchSize = 256): Promise<{ a: ImageDataset; b: ImageDataset }> {
  const [n, c, h, w] = ds.shape;
  const per = c * h * w;
  const a = new Float32Array(n * per);
  const b = new Float32Array(n * per);
  for (let lo = 0; lo < n; lo += batchSize) {
    const hi = Math.min(n, lo + batchSize);
    // views (2B, C, H, W): rows k and B + k are two views of image lo + k
    const views = noGrad(() => tidy(() => augment(tensor(ds.images.subarray(lo * per, hi * per), [hi - lo, c, h, w]), pipeline, { seed: seed + lo, views: 2 })));
    const v = (await views.data()) as Float32Array;
    views.dispose();
    a.set(v.subarray(0, (hi - lo) * per), lo * per);
    b.set(v.subarray((hi - lo) * per), lo * per);
  }
  const shape = ds.shape;
  return { a: { ...ds, name: `${ds.name} view a`, images: a, shape }, b: { ...ds, name: `${ds.name} view b`, images: b, shape } };
}
