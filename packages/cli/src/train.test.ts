// The trainer end to end on a real, tiny task (tiny-task.test-util.ts).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useWebGpu } from '@pretext/core';
import { loadFashionMnist } from '@pretext/data';
import { learningRate } from '@pretext/tasks';
import { destroyGpu } from '@pretext/gpu';
import { UsageError } from './args.js';
import { alignmentPairs } from './evaluation.js';
import { readMetrics } from './metrics.js';
import { readSummary, type RunInfo, runInfo } from './summary.js';
import { tinyTask } from './tiny-task.test-util.js';
import { type RunOptions, runTraining } from './train.js';

let info: RunInfo;
let base: Omit<RunOptions, 'dir' | 'resume'>;
const root = mkdtempSync(join(tmpdir(), 'pretext-cli-'));

beforeAll(async () => {
  info = runInfo((await useWebGpu()).gpu.info);
  const task = tinyTask();
  const splits = { train: loadFashionMnist('train', { limit: 96 }), test: loadFashionMnist('test', { limit: 64 }) };
  // 96 images / batch 16 = 6 steps per epoch, 12 in all
  base = { task, cfg: task.config('fashion-mnist', 'quick'), info, splits, log: () => {}, mapPoints: 40, eval: { protocols: ['knn'], baselines: [] } };
});
afterAll(() => destroyGpu());

/** Every file under dir with its content hash (to prove a failed command changed nothing). */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir, { recursive: true }) as string[]) {
    const p = join(dir, f);
    if (statSync(p).isFile()) out[f] = `${createHash('sha1').update(readFileSync(p)).digest('hex')}@${statSync(p).mtimeMs}`;
  }
  return out;
}

const curve = (dir: string) => readMetrics(dir).map(({ step, epoch, loss, accuracy, embeddingStd, lr }) => ({ step, epoch, loss, accuracy, embeddingStd, lr }));

describe('pretext train (tiny task)', () => {
  const full = join(root, 'full');

  it('a 2-epoch run writes metrics.jsonl, a checkpoint, summary.json with evaluations, and report.html', async () => {
    // the config's probeEpochs (a preset field) sets the linear probe's epochs
    const cfg = { ...base.cfg, probeEpochs: 40 };
    const r = await runTraining({ ...base, cfg, dir: full, resume: false, eval: { protocols: ['linear', 'knn', 'align-uniform', 'rankme'], baselines: ['raw-pixels'] } });
    expect(r.status).toBe('complete');
    const rows = readMetrics(full);
    expect(rows.map((x) => x.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(rows.map((x) => x.epoch)).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
    for (const x of rows) {
      for (const k of ['loss', 'accuracy', 'embeddingStd', 'lr', 'itemsPerSec', 'time'] as const) expect(Number.isFinite(x[k]), k).toBe(true);
    }
    expect(rows[11].loss).toBeLessThan(rows[0].loss); // it learns
    const latest = JSON.parse(readFileSync(join(full, 'checkpoints', 'latest.json'), 'utf8'));
    expect(latest.step).toBe(12);
    const meta = JSON.parse(readFileSync(join(full, 'checkpoints', `${latest.checkpoint}.json`), 'utf8'));
    expect(meta).toMatchObject({ task: 'tiny', step: 12, epoch: 2, batch: 0, complete: true, optimizerStep: 12, commit: info.commit });
    expect(existsSync(join(full, 'checkpoints', `${latest.checkpoint}.safetensors`))).toBe(true);

    const s = readSummary(full);
    expect(s).toMatchObject({ task: 'tiny', dataset: 'fashion-mnist', steps: 12, commit: info.commit });
    expect(s.adapter.description).toBe(info.adapter.description);
    const [ours, pixels] = s.evaluations[0].reports;
    expect(ours.model).toBe('tiny (ours)');
    expect(pixels.model).toBe('raw pixels');
    for (const rep of [ours, pixels]) {
      expect(rep.linear?.top1).toBeGreaterThan(0.1); // 10 classes: above chance on 64 test images
      expect(rep.linear?.epochs).toBe(40);
      expect(rep.knn?.top1).toBeGreaterThanOrEqual(0);
      expect(Number.isFinite(rep.alignUniform?.alignment)).toBe(true);
      expect(rep.rankMe).toBeGreaterThan(1);
    }

    const html = readFileSync(join(full, 'report.html'), 'utf8');
    expect((html.match(/<svg class="plot"/g) ?? []).length).toBe(5); // loss, accuracy, collapse, lr, throughput
    expect(html).toContain('<svg class="map"');
    expect(html).toContain('raw pixels');
    const imgs = [...html.matchAll(/<img[^>]*src="([^"]+)"/g)].map((m) => m[1]);
    expect(imgs).toContain('augmentations.png');
    for (const src of imgs) expect(existsSync(join(full, src)), src).toBe(true);
    expect(html).not.toMatch(/(src|href)="https?:/); // opens offline
  });

  it('--steps ends mid-epoch with the schedule planned for it; a time limit stops after the step it passes and still evaluates', async () => {
    const dir = join(root, 'steps');
    const cfg = base.task.config('fashion-mnist', 'quick', { steps: 8 });
    expect((await runTraining({ ...base, cfg, dir, resume: false })).step).toBe(8);
    const rows = readMetrics(dir);
    expect(rows.map((x) => x.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(rows[7].lr).toBeCloseTo(learningRate(cfg, 7, 8), 9); // the cosine planned over 8 steps, not 12
    const latest = JSON.parse(readFileSync(join(dir, 'checkpoints', 'latest.json'), 'utf8'));
    expect(JSON.parse(readFileSync(join(dir, 'checkpoints', `${latest.checkpoint}.json`), 'utf8'))).toMatchObject({ step: 8, epoch: 1, batch: 2, complete: true });
    const late = await runTraining({ ...base, dir: join(root, 'late'), resume: false, timeLimit: 0 });
    expect(late).toMatchObject({ status: 'complete', step: 1 });
    expect(late.summary?.evaluations[0].reports[0].knn?.top1).toBeGreaterThanOrEqual(0);
  });

  it('alignment pairs: two views of each of the first `max` test images, all of a smaller set', async () => {
    const test = loadFashionMnist('test', { limit: 10 });
    const identity = { name: 'identity', description: 'no augmentation' };
    const few = await alignmentPairs(test, identity, 1, 4);
    expect(few.a.shape).toEqual([4, 1, 28, 28]);
    expect(few.b.shape).toEqual([4, 1, 28, 28]);
    for (let i = 0; i < 4 * 784; i++) expect(Math.abs(few.b.images[i] - test.images[i])).toBeLessThan(1e-5);
    expect(few.description).toMatch(/each of 4 test images/);
    expect((await alignmentPairs(test, identity, 1)).a.shape[0]).toBe(10);
  });

  it('--resume after an interruption retraces the uninterrupted run', async () => {
    const dir = join(root, 'resumed');
    const stopped = await runTraining({ ...base, dir, resume: false, shouldStop: (step) => step === 4 });
    expect(stopped).toMatchObject({ status: 'interrupted', step: 4 });
    expect(readMetrics(dir).length).toBe(4);
    expect(existsSync(join(dir, 'summary.json'))).toBe(false);
    // a second interruption exactly at the epoch boundary, then to the end
    expect((await runTraining({ ...base, dir, resume: true, shouldStop: (step) => step === 6 })).step).toBe(6);
    const done = await runTraining({ ...base, dir, resume: true });
    expect(done.status).toBe('complete');
    expect(curve(dir)).toEqual(curve(full));
  });

  it('refuses to resume a directory without a checkpoint or from another task, changing nothing', async () => {
    const empty = join(root, 'empty');
    mkdirSync(empty);
    await expect(runTraining({ ...base, dir: empty, resume: true })).rejects.toThrow(/no checkpoint in .*empty/);
    expect(readdirSync(empty)).toEqual([]);
    await expect(runTraining({ ...base, dir: join(root, 'missing'), resume: true })).rejects.toThrow(UsageError);
    expect(existsSync(join(root, 'missing'))).toBe(false);

    const before = snapshot(full);
    const other = tinyTask('other');
    await expect(runTraining({ ...base, task: other, cfg: other.config('fashion-mnist', 'quick'), dir: full, resume: true })).rejects.toThrow(/from task 'tiny', not 'other'/);
    // an existing run directory without --resume: an error, nothing overwritten
    await expect(runTraining({ ...base, dir: full, resume: false })).rejects.toThrow(/already exists and is not empty; pass --resume/);
    expect(snapshot(full)).toEqual(before);
  });
});
