// `pretext compare` over tiny tasks (tiny-task.test-util.ts) on 96 train / 64 test images: the
// tables with the best value of each column marked, one normal run directory per task, the
// baselines run once, budgets (epochs, minutes) and every bad input an error before training.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useWebGpu } from '@pretext/core';
import { loadFashionMnist } from '@pretext/data';
import { destroyGpu } from '@pretext/gpu';
import { type AnyTask, colorization, simclr } from '@pretext/tasks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCli, UsageError } from './args.js';
import type { CompareArgs } from './compare-args.js';
import { type CompareResult, runCompare } from './compare.js';
import { compareMarkdown } from './compare-table.js';
import { readSummary, type RunInfo, runInfo } from './summary.js';
import { tinyTask } from './tiny-task.test-util.js';

const registry: Record<string, AnyTask> = {
  a: tinyTask('a', { preset: { lr: 3e-2, finetuneEpochs: 1, probeEpochs: 5 } }),
  b: tinyTask('b', { preset: { lr: 1e-3 } }),
  c: tinyTask('c', { preset: { dim: 4 } }),
  colour: tinyTask('colour', { datasets: ['emoji'] }),
  gray: tinyTask('gray', { unsuited: '--dataset fashion-mnist: gray needs colour images' }),
  simclr,
  colorization,
};
const splits = { train: loadFashionMnist('train', { limit: 96 }), test: loadFashionMnist('test', { limit: 64 }) };
const root = mkdtempSync(join(tmpdir(), 'pretext-compare-'));
let info: RunInfo;

beforeAll(async () => {
  info = runInfo((await useWebGpu()).gpu.info);
});
afterAll(() => destroyGpu());

function args(line: string, out: string): CompareArgs {
  const a = parseCli([...line.split(' '), '--out', out, '--no-progress'], registry);
  if (a.command !== 'compare') throw new Error(`not a compare: ${line}`);
  return a;
}
const compare = (line: string, out: string) => runCompare(args(line, out), { info, command: `pretext ${line}`, log: () => {}, splits });

describe('pretext compare', () => {
  let res: CompareResult;
  const out = join(root, 'epochs');

  it('trains every task alike, one run directory each, and writes the tables with the best of each column marked', async () => {
    res = await compare('compare --dataset fashion-mnist --tasks a,colour,b,c --budget 1ep', out);
    expect(res.runs.map((r) => [r.task, r.status])).toEqual([['a', 'trained'], ['colour', 'skipped'], ['b', 'trained'], ['c', 'trained']]);
    expect(res.runs[1].why).toMatch(/does not train on fashion-mnist \(datasets: emoji\)/);
    for (const id of ['a', 'b']) {
      const s = readSummary(join(out, id));
      expect(s.steps).toBe(6); // 1 epoch of 96 images in batches of 16
      expect(existsSync(join(out, id, 'report.html'))).toBe(true);
      // the shared options come from the first task's preset: b runs with a's eval settings and its own lr
      expect(s.config).toMatchObject({ seed: 3, probeEpochs: 5, finetuneEpochs: 1, lr: id === 'a' ? 3e-2 : 1e-3 });
    }
    // the baselines ran once for a and b (the same encoder); c's narrower encoder has its own
    const baselinesOf = (id: string) => readSummary(join(out, id)).evaluations[0].reports.slice(1);
    const baseA = baselinesOf('a');
    expect(baseA.map((r) => r.baseline)).toEqual(['raw-pixels', 'random-init', 'supervised']);
    expect(baselinesOf('b')).toEqual(baseA);
    expect(res.baselines).toEqual(baseA);
    expect(baselinesOf('c')[1].featureDim).toBe(4);
    expect(res.runs.map((r) => r.ownBaselines)).toEqual([undefined, undefined, undefined, true]);
    expect(res.runs[3].scratch).toEqual(baselinesOf('c')[1].fineTune);

    const md = readFileSync(join(out, 'results.md'), 'utf8');
    expect(md).toContain('`pretext compare --dataset fashion-mnist --tasks a,colour,b,c --budget 1ep');
    expect(md).toContain('| [c ‡](c/report.html) |');
    expect(md).toContain('‡ c: a different encoder');
    expect(md).toContain(`Commit ${info.commit}`);
    // the notes say how the probes were regularised: selected here; a run from before probeSelect, one fixed decay
    expect(md).toContain('its weight decay chosen on held-out train labels wherever there are ≤ 6000 of them');
    const older = Object.fromEntries(Object.entries(res.shared).filter(([k]) => k !== 'probeSelect'));
    expect(compareMarkdown({ ...res, shared: older })).toContain('logistic regression on frozen features, weight decay 0.0001;');
    expect(md).toContain('fashion-mnist: 3 methods, 1 epoch of training each');
    const one = compareMarkdown({ ...res, runs: res.runs.filter((r) => r.status !== 'trained' || r.task === 'a') });
    expect(one).toContain('fashion-mnist: 1 method, 1 epoch of training (');
    expect(md).toContain('| [a](a/report.html) |');
    expect(md).toContain('| colour | skipped: does not train on fashion-mnist');
    expect(md).toMatch(/\| method \| linear \| kNN \| 1% labels, fine-tuned \(Δ scratch\) \| 10% labels, fine-tuned \(Δ scratch\) \| pretext task, held-out \| training \| images\/s \|/);
    // the best linear probe of all rows is bold, and only it
    const rows = [...res.runs.filter((r) => r.report).map((r) => r.report?.linear?.top1 ?? 0), ...res.baselines.map((b) => b.linear?.top1 ?? 0)];
    const best = (100 * Math.max(...rows)).toFixed(1);
    const linearCells = md.split('\n').filter((l) => /^\| (\[|raw|random|super)/.test(l)).map((l) => l.split(' | ')[1]);
    expect(linearCells.filter((c) => c.startsWith('**'))).toEqual([`**${best}**`]);
    // each trained row: pretext accuracy on held-out data and Δ against scratch
    expect(md).toMatch(/\| \[b\]\(b\/report\.html\) \| [\d.*]+ \| [\d.*]+ \| [\d.*]+ \([+−][\d.]+\)\** \|/);
    expect(res.runs[0].pretext?.metrics.accuracy).toBeGreaterThanOrEqual(0);
    const html = readFileSync(join(out, 'results.html'), 'utf8');
    expect(html).toContain('<a href="a/report.html">a</a>');
    expect(html).toContain(`<b>${best}</b>`);
    expect(JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(res)));
  });

  it('a dataset that does not suit a task skips it with the reason (a DatasetError from its check), the others train', async () => {
    const dir = join(root, 'gray');
    const r = await compare('compare --dataset fashion-mnist --tasks a,gray --budget 1ep --baselines none --finetune-encoder-lr 0.5', dir);
    expect(r.runs.map((x) => [x.task, x.status])).toEqual([['a', 'trained'], ['gray', 'skipped']]);
    expect(r.runs[1].why).toBe('--dataset fashion-mnist: gray needs colour images');
    const md = readFileSync(join(dir, 'results.md'), 'utf8');
    expect(md).toContain('| gray | skipped: --dataset fashion-mnist: gray needs colour images |');
    expect(md).toContain("encoder at 0.5× the head's lr"); // the notes say the fine-tuning this comparison ran
    expect(existsSync(join(dir, 'gray'))).toBe(false);
  });

  it('a time budget plans the steps from a timed step and stops at the deadline', async () => {
    const dir = join(root, 'minutes');
    const r = await compare('compare --dataset fashion-mnist --tasks b --budget 0.02min --probe-epochs 2 --baselines none', dir);
    const [run] = r.runs;
    expect(run.status).toBe('trained');
    expect(run.plannedSteps).toBeGreaterThanOrEqual(1);
    expect(run.steps).toBeLessThanOrEqual(run.plannedSteps ?? 0);
    expect(readSummary(join(dir, 'b')).config.steps).toBe(run.plannedSteps);
    expect(run.trainSeconds).toBeLessThan(1.2 + 10); // 1.2 s of budget, plus the step it finishes
  });

  it('bad input is an error before anything trains, naming the option and what is valid', async () => {
    const bad = join(root, 'bad');
    const fails = async (line: string, msg: RegExp) => {
      await expect((async () => compare(line, bad))()).rejects.toThrow(msg);
      expect(existsSync(bad) ? readdirSync(bad) : []).toEqual([]);
    };
    await fails('compare --dataset fashion-mnist --tasks a,nope --budget 1ep', /--tasks: unknown task 'nope'; valid: a, b, c, colour, gray, simclr, colorization/);
    await fails('compare --dataset fashion-mnist --tasks a,a --budget 1ep', /names a task twice/);
    await fails('compare --dataset fashion-mnist --tasks a --budget 1ep --preset huge', /unknown preset 'huge'; valid: quick, full, large/);
    await fails('compare --dataset fashion-mnist --tasks a', /needs --budget/);
    await fails('compare --dataset fashion-mnist --tasks a --budget 5', /--budget must be minutes of training per task \(e\.g\. 10min\) or epochs \(e\.g\. 3ep\)/);
    await fails('compare --dataset fashion-mnist --tasks a --budget 0ep', /greater than 0; got '0ep'/);
    await fails('compare --dataset fashion-mnist --tasks a,b --budget 0.1ep', /--budget 0\.1ep is less than one step of a \(6 batches of 16 per epoch\); it needs at least 0\.167 epochs/);
    await fails('compare --dataset fashion-mnist --tasks a --budget 0.000001min', /--budget 0\.000001min is less than one step of a \(a step takes [\d.]+ s here\)/);
    await fails('compare --dataset fashion-mnist --tasks colour --budget 1ep', /none of --tasks colour trains on fashion-mnist/);
    await fails('compare --dataset fashion-mnist --tasks colorization --budget 1ep', /none of --tasks colorization trains on fashion-mnist: colorization --dataset fashion-mnist: colorization predicts colour from lightness and needs colour \(RGB\) images/);
    await fails('compare --dataset fashion-mnist --tasks simclr,a --budget 1ep', /same encoder and data, but task 'a' has no --width/);
    await fails('compare --dataset fashion-mnist --tasks a --budget 1ep --width 8', /--width: task 'a' has no such option/);
    await fails('compare --dataset fashion-mnist --tasks a --budget 1ep --grid 0', /--grid must be an integer ≥ 1 and ≤ 7, got '0'/);
    expect(() => parseCli(['compare', '--help'], registry)).not.toThrow();
    await expect(compare('compare --dataset fashion-mnist --tasks a --budget 1ep', out)).rejects.toThrow(UsageError); // not empty
  });
});
