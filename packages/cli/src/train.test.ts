// The trainer end to end on a real, tiny task (independent of the SSL tasks' timing): a linear
// encoder on flattened pixels and a linear classifier, trained with cross-entropy on the labels.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useWebGpu } from '@pretext/core';
import { loadFashionMnist } from '@pretext/data';
import { destroyGpu } from '@pretext/gpu';
import { classification, relu, type Tensor, tensor } from '@pretext/core';
import type { Batch } from '@pretext/data';
import { Init, Linear, Module } from '@pretext/models';
import { defineTask, embeddingStd, int, type Objective, simclrAugmentation, type Task, trainObjectives, trainingOptions } from '@pretext/tasks';
import { UsageError } from './args.js';
import { alignmentPairs } from './evaluation.js';
import { readMetrics } from './metrics.js';
import { readSummary, type RunInfo, runInfo } from './summary.js';
import { type RunOptions, runTraining } from './train.js';

class FlatEncoder extends Module {
  fc: Linear;
  constructor(init: Init, inFeatures: number, readonly featureDim: number) {
    super();
    this.fc = new Linear(init, inFeatures, featureDim);
  }
  forward(x: Tensor): Tensor {
    return this.fc.forward(x.reshape([x.shape[0], -1])); // (N, C·H·W) → (N, D)
  }
}

const tinyOptions = { ...trainingOptions, dim: int('feature width', 8, { min: 1 }) };

function tinyTask(id = 'tiny'): Task<'image'> {
  return defineTask({
    id,
    summary: 'test task: linear encoder + linear classifier, cross-entropy on labels',
    modality: 'image',
    options: tinyOptions,
    presets: {
      'fashion-mnist': { quick: { epochs: 2, batchSize: 16, seed: 3, lr: 1e-2, warmupSteps: 0 }, full: { epochs: 2, batchSize: 16, seed: 3, lr: 1e-2, warmupSteps: 0 } },
      emoji: { quick: {}, full: {} },
    },
    augmentation: (cfg) => simclrAugmentation(cfg.dataset, 0.5),
    encoder: (cfg, data, init) => new FlatEncoder(init, data.shape[1] * data.shape[2] * data.shape[3], cfg.dim),
    build(cfg, data) {
      const [, c, h, w] = data.shape;
      const init = new Init(cfg.seed);
      const encoder = new FlatEncoder(init, c * h * w, cfg.dim);
      const head = new Linear(init, encoder.featureDim, data.classes.length);
      const objective: Objective<'image'> = {
        name: 'tiny',
        heads: { head },
        loss(batch: Batch) {
          const z = encoder.forward(tensor(batch.images, batch.shape)); // (B, D)
          const logits = head.forward(relu(z)); // (B, classes)
          const { loss, accuracy } = classification(logits, tensor(batch.labels));
          return { loss, metrics: { accuracy, embeddingStd: embeddingStd(z) } };
        },
      };
      return trainObjectives(cfg, encoder, [{ objective, weight: 1 }]);
    },
  });
}

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
    expect((html.match(/<div class="chart"/g) ?? []).length).toBe(6); // loss, accuracy, collapse, ‖θ‖, lr, throughput
    expect((html.match(/<svg class="plot"/g) ?? []).length).toBe(6); // each with its static fallback
    expect(html).toContain('<svg class="map"');
    expect(html).toContain('raw pixels');
    // self-contained: both figures embedded, uPlot inlined, nothing fetched
    const imgs = [...html.matchAll(/<img[^>]*src="([^"]+)"/g)].map((m) => m[1]);
    expect(imgs).toHaveLength(2);
    for (const src of imgs) expect(src).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
    expect(html).toMatch(/<script>[\s\S]*uPlot[\s\S]*<\/script>/);
    expect(html).not.toMatch(/(src|href)="(?!data:)/); // opens offline, copied anywhere
    expect(s.figures.neighbours).toMatchObject({ file: 'neighbours.png', k: 8, pool: 40 });
    for (const v of Object.values(s.figures.neighbours?.sameClass ?? {})) expect(v).toBeGreaterThan(0.1); // better than chance (10 classes)
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
    await expect(runTraining({ ...base, dir: full, resume: false })).rejects.toThrow(/holds a run with a checkpoint; pass --resume to continue it, --overwrite to start it over, or --out .*full-2/);
    expect(snapshot(full)).toEqual(before);
  });
});
