// `pretext eval <DIR> --dataset <folder>`: the run's encoder evaluated on a folder of labelled
// images (one sub-folder per class), loaded at the run's image shape, split 80/20 with the
// run's seed; the result is added to DIR's summary and report.
import { type AnyTask, folderSplits, imageShapeOf, presetDataset } from '@pretext/tasks';
import { resolve } from 'node:path';
import type { EvalArgs } from './args.js';
import { loadEncoder } from './encoder-checkpoint.js';
import { evaluateRun } from './evaluation.js';
import { UsageError } from './flags.js';
import { writeReport } from './report.js';
import { readSummary, saveSummary } from './summary.js';

export async function evalOnFolder(a: EvalArgs, dir: string, tasks: Record<string, AnyTask>, log: (l: string) => void = console.log): Promise<number> {
  const summary = readSummary(a.dir);
  const run = await loadEncoder(a.dir, tasks);
  try {
    const [c, size] = imageShapeOf(run.cfg);
    const folder = { size, channels: c as 1 | 3, like: presetDataset(run.cfg) as 'fashion-mnist' | 'emoji' };
    let splits: ReturnType<typeof folderSplits>;
    try {
      splits = folderSplits(dir, folder, { seed: run.cfg.seed });
    } catch (e) {
      throw new UsageError(`--dataset ${dir}: ${(e as Error).message}`);
    }
    for (const n of splits.notes ?? []) log(`note      ${n}`);
    if (splits.train.classes.length < 2) throw new UsageError(`--dataset ${dir}: evaluation needs labels; put the images in one sub-folder per class (found ${splits.train.classes.length === 1 ? 'one class' : 'none'})`);
    log(`eval      ${run.path} (step ${run.meta.step}) on ${dir}: ${splits.train.shape[0]} train / ${splits.test.shape[0]} test images of ${splits.train.classes.length} classes at ${c}×${size}×${size}`);
    const cfg = { ...run.cfg, dataset: resolve(dir), folder };
    const ev = await evaluateRun(run.task, cfg, run.encoder, splits, { protocols: a.protocols, baselines: a.baselines }, log);
    summary.evaluations.push(ev);
    saveSummary(a.dir, summary);
    log(`report    ${writeReport(a.dir)}`);
  } finally {
    run.encoder.dispose();
  }
  return 0;
}
