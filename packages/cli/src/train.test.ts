// The trainer end to end on a real, tiny task (tiny-task.test-util.ts).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useWebGpu } from '@pretext/core';
import { loadFashionMnist } from '@pretext/data';
import { LINEAR_PROBE_DEFAULTS, PROBE_WEIGHT_DECAYS } from '@pretext/eval';
import { destroyGpu, getGpu } from '@pretext/gpu';
import { learningRate, OptionError } from '@pretext/tasks';
import { UsageError } from './args.js';
import { loadRun } from './checkpoints.js';
import { DivergenceError } from './health.js';
import { alignmentPairs } from './evaluation.js';
import { generateCommand, parseGenerate } from './generate.js';
import { readMetrics } from './metrics.js';
import { readSummary, type RunInfo, runInfo } from './summary.js';
import { tinyTask } from './tiny-task.test-util.js';
import { type RunOptions, runTraining } from './train.js';

let info: RunInfo;
let base: Omit<RunOptions<'image'>, 'dir' | 'resume'>;
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
      // probeSelect (default true): a train split this small has its probe's weight decay chosen on held-out rows
      expect(rep.linear?.selection?.map((x) => x.weightDecay)).toEqual([...PROBE_WEIGHT_DECAYS]);
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

  it('refuses a batch larger than the training data before any step, naming --batch-size and its range', async () => {
    for (const steps of [undefined, 5]) {
      const cfg = base.task.config('fashion-mnist', 'quick', { batchSize: 128, steps });
      const run = runTraining({ ...base, cfg, dir: join(root, `too-big-${steps}`), resume: false });
      await expect(run).rejects.toThrow(/--batch-size 128 is more than the training data holds \(.*96 images.*\); a step needs one full batch: use --batch-size from 2 up to the training set's size, or a larger --train-limit/);
      await expect(run).rejects.toBeInstanceOf(OptionError);
    }
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
    const late = await runTraining({ ...base, cfg: { ...base.cfg, probeSelect: false }, dir: join(root, 'late'), resume: false, timeLimit: 0, eval: { protocols: ['knn', 'linear'], baselines: [] } });
    expect(late).toMatchObject({ status: 'complete', step: 1 });
    const ours = late.summary?.evaluations[0].reports[0];
    expect(ours?.knn?.top1).toBeGreaterThanOrEqual(0);
    // probeSelect false: one probe at the default weight decay
    expect(ours?.linear).toMatchObject({ weightDecay: LINEAR_PROBE_DEFAULTS.weightDecay });
    expect(ours?.linear?.selection).toBeUndefined();
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
    // generate on a vision checkpoint says what it holds, and changes nothing
    await expect(generateCommand(parseGenerate([full]), { tiny: base.task })).rejects.toThrow(/holds a tiny checkpoint, an image encoder; generate needs a language model/);
    expect(snapshot(full)).toEqual(before);
  });
});

describe('pretext train: no silent garbage', () => {
  it('a NaN weight the loss does not see stops training at its step, naming the flags that exist; the checkpoint before it stays good', async () => {
    const task = tinyTask('tiny', { poisonAt: 8 });
    const dir = join(root, 'nan');
    const lines: string[] = [];
    const run = runTraining({ ...base, task, cfg: task.config('fashion-mnist', 'quick'), dir, resume: false, log: (l) => lines.push(l) });
    await expect(run).rejects.toThrow(DivergenceError);
    await expect(run).rejects.toThrow(/^step 9 \(epoch 2\): the parameters hold NaN or Inf \(‖θ‖ = NaN\); training diverged, the last checkpoint \(step 6\) was saved before it and is intact\. Start over \(--overwrite\) with a lower --lr \(now 0\.01\), --warmup-steps \(now 0\)/);
    const rows = readMetrics(dir);
    expect(rows.map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]); // the steps as the message counts them
    for (const r of rows) expect(Number.isFinite(r.loss) && Number.isFinite(r.paramNorm)).toBe(true);
    const ckpt = await loadRun(dir);
    expect(ckpt.meta.step).toBe(6);
    expect(existsSync(join(dir, '.lock'))).toBe(false); // released on the way out
  });

  it('off a terminal: a progress line every N steps and at each epoch; a collapse warning once', async () => {
    const task = tinyTask('tiny', { collapse: true });
    const lines: string[] = [];
    await runTraining({ ...base, task, cfg: task.config('fashion-mnist', 'quick'), dir: join(root, 'progress'), resume: false, progress: true, progressEvery: 5, log: (l) => lines.push(l), eval: { protocols: ['knn'], baselines: ['raw-pixels'] } });
    const steps = lines.filter((l) => l.startsWith('step ')).map((l) => Number(/^step (\d+)\/12/.exec(l)?.[1]));
    expect(steps).toEqual([5, 6, 10, 12]);
    expect(lines.find((l) => l.startsWith('step 5/12'))).toMatch(/^step 5\/12 \(41\.7%\) · epoch 1\/2 · loss \d+\.\d{4} · accuracy 0\.\d{3} · \d+\.\d images\/s · ETA \d+s$/);
    const warnings = lines.filter((l) => l.startsWith('warning'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^warning {3}step 1: embeddingStd 0\.00 < 0\.01: the embeddings are collapsing to a point .*try another --lr \(now 0\.01\), --batch-size \(now 16\)/);
    // evaluation progress: each part of each model, numbered
    expect(lines).toContainEqual(expect.stringMatching(/^eval {6}\[1\/2\] tiny \(ours\) · knn \d+\.\d s$/));
    expect(lines).toContainEqual(expect.stringMatching(/^eval {6}\[2\/2\] raw pixels · knn \d+\.\d s$/));
  });

  it('device loss mid-training: reported, the device reopened, the run continues from the last checkpoint and ends as the straight run', async () => {
    const dir = join(root, 'device-loss');
    const lines: string[] = [];
    const lost = (await getGpu()).device;
    let destroyed = false;
    const r = await runTraining({
      ...base, dir, resume: false, log: (l) => lines.push(l),
      shouldStop: (step) => {
        if (step === 9 && !destroyed) {
          destroyed = true;
          lost.destroy(); // as a driver reset would take it
        }
        return false;
      },
    });
    expect(r.status).toBe('complete');
    expect(lines).toContainEqual(expect.stringMatching(/^device {4}lost \(destroyed.*\); reopened it, continuing from the checkpoint at step 6$/));
    expect((await getGpu()).device).not.toBe(lost);
    expect(curve(dir)).toEqual(curve(join(root, 'full'))); // steps 7–9 redone: at most one checkpoint interval lost
  });

  it('--resume of a finished run keeps the evaluations `pretext eval` added', async () => {
    const dir = join(root, 'resumed');
    const s = readSummary(dir);
    const added = { ...s.evaluations[0], at: 'from pretext eval' };
    writeFileSync(join(dir, 'summary.json'), JSON.stringify({ ...s, evaluations: [...s.evaluations, added] }));
    const r = await runTraining({ ...base, dir, resume: true });
    expect(r.status).toBe('complete');
    expect(readSummary(dir).evaluations.map((e) => e.at)).toEqual([s.evaluations[0].at, 'from pretext eval', expect.any(String)]);
    expect(readMetrics(dir)).toHaveLength(12);
  });
});
