// The pretext task's own held-out view in a run: colorization trained for a few steps through the
// trainer leaves its held-out metrics in summary.json, its grid as a PNG, both in report.html;
// sideBySide puts two runs' grids of the same items together (L2 vs rebalanced classification).
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useWebGpu } from '@pretext/core';
import { imageGridPng, loadEmoji } from '@pretext/data';
import { destroyGpu } from '@pretext/gpu';
import { colorization, type PretextFigure } from '@pretext/tasks';
import { afterAll, describe, expect, it } from 'vitest';
import { sideBySide, writePretextGrid } from './figures.js';
import { readSummary, runInfo } from './summary.js';
import { runTraining } from './train.js';

afterAll(() => destroyGpu());

const strip = (v: number) => new Float32Array(2 * 3 * 2 * 2).fill(v); // 2 items of 3×2×2
const figure = (pred: number): PretextFigure => ({
  name: 'colorization',
  caption: '',
  imageShape: [3, 2, 2],
  rows: [{ label: 'input', images: strip(0.5) }, { label: 'prediction', images: strip(pred) }, { label: 'truth', images: strip(1) }],
});

describe('pretext figures', () => {
  it('sideBySide: the shared rows once (input first, truth last), each run\'s own rows labelled in between', () => {
    const both = sideBySide([{ label: 'l2', figure: figure(0.2) }, { label: 'classification', figure: figure(0.8) }]);
    expect(both.rows.map((r) => r.label)).toEqual(['input', 'l2: prediction', 'classification: prediction', 'truth']);
    expect(both.rows[2].images[0]).toBeCloseTo(0.8);
    expect(both.caption).toMatch(/^l2 vs classification: /);
  });

  it('writePretextGrid: a row per label, the items left to right', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pretext-fig-'));
    writePretextGrid(join(dir, 'g.png'), figure(0.2));
    const png = readFileSync(join(dir, 'g.png'));
    expect(png.equals(imageGridPng(Float32Array.from([...strip(0.5), ...strip(0.2), ...strip(1)]), [6, 3, 2, 2], 2, { pad: 2 }))).toBe(true);
  });

  it('a colorization run reports its held-out metrics next to the predict-the-mean baseline and draws its grid', async () => {
    const info = runInfo((await useWebGpu()).gpu.info);
    const emoji = loadEmoji({ limit: 40 });
    const cfg = colorization.config('emoji', 'quick', { epochs: 1, batchSize: 16, width: 4, decoderWidth: 8, warmupSteps: 0 });
    const dir = join(mkdtempSync(join(tmpdir(), 'pretext-color-')), 'run');
    const r = await runTraining({ task: colorization, cfg, dir, resume: false, info, splits: { train: emoji.google, test: emoji.twitter }, log: () => {}, mapPoints: 10, eval: { protocols: ['knn'], baselines: [] } });
    expect(r.status).toBe('complete');
    const s = readSummary(dir);
    const pretext = s.evaluations[0].pretext ?? {};
    for (const k of ['abError', 'meanBaseline.abError', 'chroma', 'truth.chroma', 'colourfulness', 'accuracy']) expect(Number.isFinite(pretext[k]), k).toBe(true);
    const grid = s.figures.pretext?.[0];
    expect(grid?.file).toBe('pretext-colorization.png');
    expect(existsSync(join(dir, grid?.file ?? ''))).toBe(true);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('Pretext task, held out');
    expect(html).toContain('meanBaseline.abError');
    expect(html).toContain('src="pretext-colorization.png"');
  });
});
