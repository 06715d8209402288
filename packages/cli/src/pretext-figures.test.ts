// A run of the classification pretext tasks (as one hybrid, so one small run covers all three):
// held-out pretext metrics in the evaluation and summary, one figure per objective in the report.
// A colorization run: its held-out metrics next to the predict-the-mean baseline and its rows;
// sideBySide puts two runs' rows of the same items together (L2 vs rebalanced classification).
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useWebGpu } from '@pretext/core';
import { imageGridPng, loadEmoji, loadFashionMnist } from '@pretext/data';
import { destroyGpu } from '@pretext/gpu';
import { colorization, hybrid, type RowsExample } from '@pretext/tasks';
import { rowsGrid, sideBySide, writePretextFigure } from './pretext-figures.js';
import { readSummary, type RunInfo, runInfo } from './summary.js';
import { runTraining } from './train.js';

let info: RunInfo;
beforeAll(async () => {
  info = runInfo((await useWebGpu()).gpu.info);
});
afterAll(() => destroyGpu());

describe('pretext tasks in a run', () => {
  it('reports held-out pretext accuracy and draws rotation, jigsaw and context predictions', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'pretext-figures-')), 'run');
    const cfg = hybrid.config('fashion-mnist', 'quick', {
      objectives: 'rotation:1,jigsaw:1,context:1', epochs: 1, batchSize: 16, width: 4, warmupSteps: 0, lr: 1e-2,
      rotationHidden: 8, jigsawHidden: 8, contextHidden: 8, jigsawPermutations: 10,
    });
    const splits = { train: loadFashionMnist('train', { limit: 32 }), test: loadFashionMnist('test', { limit: 40 }) };
    const lines: string[] = [];
    const r = await runTraining({ task: hybrid, cfg, dir, resume: false, info, splits, log: (l) => lines.push(l), mapPoints: 20, eval: { protocols: ['knn'], baselines: [] } });
    expect(r.status).toBe('complete');

    // held-out: 2 full batches of 16 of the 40 test images, every objective's loss and accuracy
    const pretext = readSummary(dir).evaluations[0].pretext;
    expect(pretext?.items).toBe(32);
    expect(Object.keys(pretext?.metrics ?? {}).sort()).toEqual(['context.accuracy', 'context.loss', 'jigsaw.accuracy', 'jigsaw.loss', 'loss', 'rotation.accuracy', 'rotation.loss'].sort());
    for (const [k, v] of Object.entries(pretext?.metrics ?? {})) expect(Number.isFinite(v) && (!k.endsWith('accuracy') || (v >= 0 && v <= 1)), k).toBe(true);
    expect(lines.some((l) => /^pretext {3}on 32 held-out .* rotation\.accuracy \d+\.\d\d%/.test(l))).toBe(true);

    // one PNG per objective, sized by what it draws (frames of 2 px, padding 3 px)
    const figures = readSummary(dir).figures.pretext ?? [];
    expect(figures.map((f) => f.kind)).toEqual(['rotation', 'jigsaw', 'context']);
    const size = (file: string) => {
      const png = readFileSync(join(dir, file)); // IHDR: width and height, big-endian, at bytes 16 and 20
      return [png.readUInt32BE(16), png.readUInt32BE(20)];
    };
    const grid = (cols: number, rows: number, side: number) => [cols * (side + 4) + (cols + 1) * 3, rows * (side + 4) + (rows + 1) * 3];
    expect(size('pretext-rotation.png')).toEqual(grid(8, 2, 28)); // 16 rotated test images
    expect(size('pretext-jigsaw.png')).toEqual(grid(8, 3, 3 * 8 + 2)); // 3×3 tiles of 8 px, 1 px apart; 3 rows
    expect(size('pretext-context.png')).toEqual(grid(8, 2, 3 * 8 + 2)); // 2 rows
    expect(figures[0].captions?.split(', ').length).toBe(16);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    for (const f of figures) expect(html).toContain(`<h2>Pretext: ${f.objective} on test images</h2>`);
    expect(html.match(/src="data:image\/png;base64,/g)?.length).toBeGreaterThanOrEqual(figures.length); // embedded, self-contained
    expect(html).toMatch(/The pretext task on 32 held-out test images .*rotation\.accuracy \d+\.\d%/);
  });
});

const strip = (v: number) => new Float32Array(2 * 3 * 2 * 2).fill(v); // 2 items of 3×2×2
const rowsOf = (pred: number): RowsExample => ({
  objective: 'colorization',
  kind: 'rows',
  imageShape: [3, 2, 2],
  rows: [{ label: 'input', images: strip(0.5) }, { label: 'prediction', images: strip(pred) }, { label: 'truth', images: strip(1) }],
});

describe('rows of images (colorization)', () => {
  it("sideBySide: the shared rows once (input first, truth last), each run's own rows labelled in between", () => {
    const both = sideBySide([{ label: 'l2', example: rowsOf(0.2) }, { label: 'classification', example: rowsOf(0.8) }]);
    expect(both.rows.map((r) => r.label)).toEqual(['input', 'l2: prediction', 'classification: prediction', 'truth']);
    expect(both.rows[2].images[0]).toBeCloseTo(0.8);
    expect(both.objective).toBe('l2 vs classification');
  });

  it('a row per label, the items left to right', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pretext-rows-'));
    expect(rowsGrid(rowsOf(0.2)).rows).toBe('input; prediction; truth');
    const f = writePretextFigure(dir, rowsOf(0.2), 2);
    expect(f).toEqual({ file: 'pretext-colorization.png', objective: 'colorization', kind: 'rows', rows: 'input; prediction; truth' });
    const png = readFileSync(join(dir, f.file));
    expect(png.equals(imageGridPng(Float32Array.from([...strip(0.5), ...strip(0.2), ...strip(1)]), [6, 3, 2, 2], 2, { pad: 3 }))).toBe(true);
  });

  it('a colorization run reports its held-out metrics next to the predict-the-mean baseline and draws its rows', async () => {
    const emoji = loadEmoji({ limit: 40 });
    const cfg = colorization.config('emoji', 'quick', { epochs: 1, batchSize: 16, width: 4, decoderWidth: 8, warmupSteps: 0 });
    const dir = join(mkdtempSync(join(tmpdir(), 'pretext-color-')), 'run');
    const r = await runTraining({ task: colorization, cfg, dir, resume: false, info, splits: { train: emoji.google, test: emoji.twitter }, log: () => {}, mapPoints: 10, eval: { protocols: ['knn'], baselines: [] } });
    expect(r.status).toBe('complete');
    const s = readSummary(dir);
    const pretext = s.evaluations[0].pretext?.metrics ?? {};
    for (const k of ['abError', 'meanBaseline.abError', 'chroma', 'truth.chroma', 'colourfulness', 'accuracy']) expect(Number.isFinite(pretext[k]), k).toBe(true);
    const fig = s.figures.pretext?.[0];
    expect([fig?.file, fig?.kind]).toEqual(['pretext-colorization.png', 'rows']);
    expect(existsSync(join(dir, fig?.file ?? ''))).toBe(true);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('meanBaseline.abError');
    expect(html).toContain('<h2>Pretext: colorization on test images</h2>');
  });
});
