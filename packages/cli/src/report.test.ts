// The report from files alone (no GPU): hostile strings through every field of summary.json and
// metrics.jsonl stay text; images embedded; ticks; several runs side by side.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { imageGridPng } from '@pretext/data';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aligned, scriptJson } from './charts.js';
import { writeReport } from './report.js';
import { writeComparison } from './report-runs.js';
import { niceTicks } from './svg.js';

const root = mkdtempSync(join(tmpdir(), 'pretext-report-'));
const HOSTILE = `</script><script>alert(1)</script><img src=x onerror=alert(1)>"'&`;

const evalReport = (model: string, top1: number) => ({
  model, dataset: 'fashion-mnist', featureDim: 8, nTrain: 96, nTest: 64, classes: 10, seconds: { features: 0.1 },
  linear: { top1, epochs: 40 }, knn: { top1: top1 - 0.05, k: 20 }, fewLabel: [{ fraction: 0.01, top1: 0.3 }], alignUniform: { alignment: 0.5, uniformity: -2, pairs: 'two views' }, rankMe: 5.5,
});

function summary(steps: number, top1: number) {
  return {
    task: 'tiny', dataset: 'fashion-mnist', preset: 'quick', config: { dataset: 'fashion-mnist', preset: 'quick', epochs: 2, lr: 0.01, seed: 3 },
    adapter: { description: 'llvmpipe', device: 'cpu', driver: 'Mesa', backend: 'vulkan', vendor: 'mesa', architecture: '' }, commit: 'abc1234',
    startedAt: '2026-12-06T00:00:00Z', finishedAt: '2026-12-06T00:01:00Z', wallSeconds: 60, trainSeconds: 30, steps, unit: 'images', itemsPerSec: 51.2,
    final: { loss: 1.5, accuracy: 0.5 },
    figures: { augmentationGrid: { file: 'augmentations.png', pipeline: 'simclr', description: 'crop, flip', rows: 'originals; view 1; view 2' }, embeddingMap: { file: 'embedding.json', points: 3, method: 'umap' } },
    evaluations: [{ at: '2026-12-06T00:01:00Z', protocols: ['linear', 'knn'], reports: [evalReport('tiny (ours)', top1), evalReport('raw pixels', 0.6)], table: '', seconds: 3 }],
  };
}

/** A run directory as `pretext train` leaves it (no checkpoint needed for the report). */
function runDir(name: string, s: object, rows = 12, metricKey = 'accuracy'): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(s));
  const lines = Array.from({ length: rows }, (_, i) => JSON.stringify({ step: i + 1, epoch: 0, loss: 2 - i / 10, lr: 0.01, itemsPerSec: 50, time: i, [metricKey]: i / rows }));
  writeFileSync(join(dir, 'metrics.jsonl'), `${lines.join('\n')}\n`);
  writeFileSync(join(dir, 'augmentations.png'), imageGridPng(new Float32Array(4 * 16), [4, 1, 4, 4], 2));
  writeFileSync(join(dir, 'embedding.json'), JSON.stringify({ x: [0, 1, 2], y: [1, 0, 2], labels: [0, 1, 2], classes: ['a', 'b', 'c'], title: 'map' }));
  return dir;
}

/** Every leaf of a JSON value, as a path of keys. */
function leaves(v: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => leaves(x, [...path, Array.isArray(v) ? Number(k) : k]));
  return [path];
}
function setAt(v: unknown, path: (string | number)[], x: unknown): unknown {
  const copy = structuredClone(v) as Record<string | number, unknown>;
  let o = copy;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  o[path[path.length - 1]] = x;
  return copy;
}

/** No markup of the payload survives: only the page's own three scripts, no injected element. */
function expectInert(html: string, what: string) {
  expect(html, what).not.toContain('<script>alert');
  expect(html, what).not.toContain('<img src=x');
  expect((html.match(/<script/g) ?? []).length, what).toBe(3);
}

describe('report.html', () => {
  it('is one self-contained file: images as data: URIs, the chart library inlined', () => {
    const dir = runDir('plain', summary(12, 0.7));
    const html = readFileSync(writeReport(dir), 'utf8');
    expect(html).toMatch(/<img class="pixel" src="data:image\/png;base64,/);
    expect(html).not.toMatch(/(src|href)="(?!data:)/);
    expect(html).toContain('new uPlot(');
    const data = JSON.parse(/<script type="application\/json" id="pretext-charts">([^<]*)<\/script>/.exec(html)?.[1] ?? '{}');
    expect(Object.keys(data)).toHaveLength(4); // loss, accuracy, lr, throughput
    expect(data['chart-0']).toMatchObject({ title: 'loss', xs: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] });
  });

  it('a hostile string in any field of summary.json or metrics.jsonl stays text (or is refused naming the file)', () => {
    const base = summary(12, 0.7);
    const paths = leaves(base);
    expect(paths.length).toBeGreaterThan(60);
    let rendered = 0;
    for (const p of [...paths, ...paths.map((q) => q.slice(0, -1)).filter((q) => q.length)]) {
      const dir = runDir('hostile', setAt(base, p, HOSTILE) as object, 3, HOSTILE);
      try {
        expectInert(readFileSync(writeReport(dir), 'utf8'), p.join('.'));
        rendered++;
      } catch (e) {
        if ((e as Error).name === 'AssertionError') throw e;
        expect((e as Error).message, p.join('.')).toMatch(/summary\.json/);
      }
    }
    expect(rendered).toBeGreaterThan(paths.length); // the page renders whatever the values are
    // every leaf at once, and figure file names that point outside the directory
    const all = paths.reduce((s, p) => setAt(s, p, HOSTILE), base as unknown) as Record<string, unknown>;
    expectInert(readFileSync(writeReport(runDir('all', all)), 'utf8'), 'all');
    const outside = setAt(base, ['figures', 'augmentationGrid', 'file'], '../plain/augmentations.png');
    expect(readFileSync(writeReport(runDir('escape', outside as object)), 'utf8')).not.toContain('data:image/png');
  });

  it('scriptJson cannot close its script element', () => {
    const s = scriptJson({ a: HOSTILE, b: '\u2028<!--' });
    expect(s).not.toContain('<');
    expect(JSON.parse(s)).toEqual({ a: HOSTILE, b: '\u2028<!--' });
  });

  it('several runs side by side: the best of each column marked, config differences, curves overlaid', () => {
    const a = runDir('cmp/a', summary(12, 0.7));
    const s2 = summary(24, 0.8);
    s2.config.lr = 0.02;
    const b = runDir('cmp/b', s2, 24, 'rotation.accuracy');
    const out = join(root, 'cmp', 'compare.html');
    const html = readFileSync(writeComparison([a, b], out), 'utf8');
    expect(html).toContain('<h1>2 runs side by side</h1>');
    expect(html).toMatch(/<td class="best">80\.0<\/td>/); // b's linear top-1
    expect(html).not.toMatch(/<td class="best">70\.0<\/td>/);
    expect(html).toMatch(/<tr><th>lr<\/th><td>0\.01<\/td><td>0\.02<\/td><\/tr>/);
    expect(html).not.toMatch(/<tr><th>epochs<\/th>/); // the same in both
    const data = JSON.parse(/id="pretext-charts">([^<]*)</.exec(html)?.[1] ?? '{}');
    expect(data['chart-0'].names).toEqual(['a', 'b']);
    expect(data['chart-0'].xs).toHaveLength(24); // the union of both runs' steps
    expect(data['chart-0'].ys[0].slice(12)).toEqual(Array(12).fill(null));
    expect(Object.values(data).map((c) => (c as { title: string }).title)).toEqual(expect.arrayContaining(['loss', 'learning rate', expect.stringMatching(/^accuracy/), expect.stringMatching(/^rotation\.accuracy/)]));
    expect(() => writeComparison([a, join(root, 'nope')], out)).toThrow(/nope\/summary\.json not found/);
  });

  it('aligned: the union of x values, null where a series has none or a non-finite value', () => {
    expect(aligned([{ name: 'a', xs: [1, 3], ys: [10, Number.NaN] }, { name: 'b', xs: [2, 3], ys: [20, 30] }])).toEqual({ xs: [1, 2, 3], ys: [[10, null, null], [null, 20, 30]] });
  });
});

describe('niceTicks', () => {
  it('3 to 7 round ticks inside any range (the loss plot used to get 2)', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: -6, max: 6, noNaN: true }), (lo, e) => {
        const span = 10 ** e;
        fc.pre(span > Math.abs(lo) * 1e-6);
        const t = niceTicks(lo, lo + span);
        expect(t.length).toBeGreaterThanOrEqual(3);
        expect(t.length).toBeLessThanOrEqual(7);
        for (const x of t) expect(x >= lo - span * 1e-6 && x <= lo + span * (1 + 1e-6)).toBe(true);
        const steps = t.slice(1).map((x, i) => x - t[i]);
        const m = steps[0] / 10 ** Math.floor(Math.log10(steps[0]) + 1e-9);
        expect([1, 2, 5].some((k) => Math.abs(m - k) < 1e-6)).toBe(true);
      }),
      { numRuns: 2000 },
    );
    expect(niceTicks(1.8, 2.31)).toEqual([1.8, 1.9, 2, 2.1, 2.2, 2.3]);
    expect(niceTicks(0.2, 10.3)).toEqual([2, 4, 6, 8, 10]); // the old rule: steps of 5 → 5, 10
  });
});
