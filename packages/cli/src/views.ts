// What the CLI takes from a task besides training: its augmentation (the report's grid, the
// alignment pairs) and its bare encoder (the random-init and supervised baselines).
import { augment, noGrad, tensor, tidy } from '@pretext/core';
import type { ImageDataset } from '@pretext/data';
import type { EncoderFactory } from '@pretext/eval';
import type { Pipeline } from '@pretext/kernels';
import type { Task, TaskConfig } from '@pretext/tasks';

/** The augmentation the task trains with, if it augments. */
export function augmentationOf(task: Task<'image'>, cfg: TaskConfig): Pipeline | undefined {
  return task.augmentation(cfg);
}

/** A fresh, untrained encoder of the task's architecture, per init. */
export function encoderFactoryOf(task: Task<'image'>, cfg: TaskConfig, data: ImageDataset): EncoderFactory {
  return (init) => task.encoder(cfg, data, init);
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
