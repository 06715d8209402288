// The run's figures: a PNG grid of what the augmentation does to training images, and a 2-D UMAP
// map of test-set features (DIR/embedding.json; report.ts draws it coloured by class).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { augment, noGrad, tensor, tidy } from '@pretext/core';
import { rng } from '@pretext/gpu';
import { type ImageDataset, subset, writeImageGrid } from '@pretext/data';
import { type Encoder, extractFeatures, l2Normalize } from '@pretext/eval';
import type { EvalSets, PretextFigure, Task, TaskConfig, TrainState } from '@pretext/tasks';
import { UMAP } from 'umap-js';
import { augmentationOf } from './views.js';

export interface Figures {
  /** File names relative to the run directory. */
  augmentationGrid?: { file: string; pipeline: string; description?: string; rows: string };
  embeddingMap?: { file: string; points: number; method: string };
  /** The pretext task on held-out items (colorization: input, prediction, truth), one PNG each. */
  pretext?: PretextGrid[];
}

export interface PretextGrid {
  file: string;
  caption: string;
  /** The label of each row, top to bottom. */
  rows: string[];
}

export interface EmbeddingMap {
  x: number[];
  y: number[];
  labels: number[];
  classes: readonly string[];
  title: string;
}

export const AUGMENT_PNG = 'augmentations.png';
export const EMBEDDING_JSON = 'embedding.json';

/** 8 training images (row 1) and two augmented views of each (rows 2, 3), as the task trains. */
export async function writeAugmentationGrid(dir: string, task: Task<'image'>, cfg: TaskConfig, train: ImageDataset): Promise<Figures['augmentationGrid']> {
  const pipeline = augmentationOf(task, cfg);
  if (!pipeline) return undefined;
  const [n, c, h, w] = train.shape;
  const k = Math.min(8, n);
  const originals = subset(train, Array.from({ length: k }, (_, i) => i));
  // views (2k, C, H, W): rows i and k + i are two views of image i
  const views = noGrad(() => tidy(() => augment(tensor(originals.images, originals.shape), pipeline, { seed: cfg.seed, outSize: [h, w], views: 2 })));
  const v = (await views.data()) as Float32Array;
  views.dispose();
  const all = new Float32Array((3 * k) * c * h * w);
  all.set(originals.images);
  all.set(v, k * c * h * w);
  writeImageGrid(join(dir, AUGMENT_PNG), all, [3 * k, c, h, w], k, { pad: 2 });
  return { file: AUGMENT_PNG, pipeline: pipeline.name, description: (pipeline as { description?: string }).description, rows: 'originals; view 1; view 2' };
}

/** UMAP (cosine on L2-normalised features) of up to `points` test images, seeded. */
export async function writeEmbeddingMap(dir: string, encoder: Encoder, test: ImageDataset, points: number, seed: number): Promise<Figures['embeddingMap']> {
  const n = Math.min(points, test.shape[0]);
  if (n < 4) return undefined;
  const sample = subset(test, Array.from({ length: n }, (_, i) => i));
  const f = l2Normalize(await extractFeatures(encoder, sample));
  const rows = Array.from({ length: n }, (_, i) => Array.from(f.values.subarray(i * f.dim, (i + 1) * f.dim)));
  // on unit vectors, Euclidean distance is a monotone function of cosine distance
  const umap = new UMAP({ nComponents: 2, nNeighbors: Math.min(15, n - 1), minDist: 0.1, nEpochs: 200, random: rng(seed) });
  const xy = await umap.fitAsync(rows);
  const map: EmbeddingMap = { x: xy.map((p) => p[0]), y: xy.map((p) => p[1]), labels: Array.from(sample.labels), classes: test.classes, title: `UMAP of ${n} ${test.name} features (dim ${f.dim})` };
  writeFileSync(join(dir, EMBEDDING_JSON), JSON.stringify(map));
  return { file: EMBEDDING_JSON, points: n, method: 'umap-js, 15 neighbours, min_dist 0.1, 200 epochs' };
}

/** One figure's rows stacked into a PNG grid (a row per label, its items left to right). */
export function writePretextGrid(path: string, figure: PretextFigure): void {
  const [c, h, w] = figure.imageShape;
  const per = c * h * w;
  const k = figure.rows[0].images.length / per;
  const all = new Float32Array(figure.rows.length * k * per);
  figure.rows.forEach((r, i) => all.set(r.images, i * k * per));
  writeImageGrid(path, all, [figure.rows.length * k, c, h, w], k, { pad: 2 });
}

/** Each figure the trained state draws of its pretext task (held-out items), as DIR/pretext-<name>.png. */
export async function writePretextFigures(dir: string, state: TrainState<'image'>, test: ImageDataset): Promise<PretextGrid[] | undefined> {
  const figures = await state.pretextFigures?.(test);
  if (!figures?.length) return undefined;
  return figures.map((f) => {
    const file = `pretext-${f.name}.png`;
    writePretextGrid(join(dir, file), f);
    return { file, caption: f.caption, rows: f.rows.map((r) => r.label) };
  });
}

/**
 * Several runs' figure of the same items side by side (colorization: L2 vs rebalanced
 * classification): the rows every run shares (input, truth) once, each run's own rows labelled
 * with its name, in between.
 */
export function sideBySide(runs: readonly { label: string; figure: PretextFigure }[]): PretextFigure {
  const same = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((v, i) => v === b[i]);
  const first = runs[0].figure;
  const shared = first.rows.map((r) => runs.every(({ figure }) => figure.rows.some((o) => o.label === r.label && same(o.images, r.images))));
  const lead = shared.indexOf(false) < 0 ? first.rows.length : shared.indexOf(false);
  const own = runs.flatMap(({ label, figure }) => figure.rows.filter((r) => !first.rows.some((f, i) => shared[i] && f.label === r.label)).map((r) => ({ label: `${label}: ${r.label}`, images: r.images })));
  const rows = [...first.rows.slice(0, lead), ...own, ...first.rows.filter((_, i) => i >= lead && shared[i])];
  return { ...first, caption: `${runs.map((r) => r.label).join(' vs ')}: ${rows.map((r) => r.label).join('; ')}`, rows };
}

export async function writeFigures(dir: string, task: Task<'image'>, cfg: TaskConfig, encoder: Encoder, splits: EvalSets, opts: { mapPoints: number }): Promise<Figures> {
  return {
    augmentationGrid: await writeAugmentationGrid(dir, task, cfg, splits.train),
    embeddingMap: await writeEmbeddingMap(dir, encoder, splits.test, opts.mapPoints, cfg.seed),
  };
}
