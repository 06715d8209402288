// The run's figures: a PNG grid of what the augmentation does to training images, a 2-D UMAP map
// of test-set features (DIR/embedding.json; report.ts draws it coloured by class) and the
// nearest-neighbour grid (neighbours.ts).
import { join } from 'node:path';
import { augment, noGrad, tensor, tidy } from '@pretext/core';
import { rng } from '@pretext/random';
import { type ImageDataset, imageGridPng, subset } from '@pretext/data';
import { type Encoder, extractFeatures, type Features, l2Normalize } from '@pretext/eval';
import type { EvalSets, Task, TaskConfig } from '@pretext/tasks';
import { UMAP } from 'umap-js';
import { type NeighboursFigure, writeNeighbours } from './neighbours.js';
import { writeFileSafe } from './safe-fs.js';
import type { PretextFigure } from './pretext-figures.js';
import { augmentationOf } from './views.js';

export interface Figures {
  /** File names relative to the run directory. */
  augmentationGrid?: { file: string; pipeline: string; description?: string; rows: string };
  embeddingMap?: { file: string; points: number; method: string };
  neighbours?: NeighboursFigure;
  /** Text sampled from a language model (its prompt, temperature and top-k). */
  generations?: { prompt: string; temperature: number; topK?: number; text: string }[];
  /** What the pretext classifiers predict on test images (rotation, jigsaw, context). */
  pretext?: PretextFigure[];
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
  if (!pipeline) return undefined; // a task that trains without augmentation
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
  writeFileSafe(join(dir, AUGMENT_PNG), imageGridPng(all, [3 * k, c, h, w], k, { pad: 2 }));
  return { file: AUGMENT_PNG, pipeline: pipeline.name, description: pipeline.description, rows: 'originals; view 1; view 2' };
}

/** UMAP (cosine on L2-normalised features f of the first f.n test images), seeded. */
export async function writeEmbeddingMap(dir: string, f: Features, test: ImageDataset, seed: number): Promise<Figures['embeddingMap']> {
  const n = f.n;
  if (n < 4) return undefined;
  const sample = subset(test, Array.from({ length: n }, (_, i) => i));
  const rows = Array.from({ length: n }, (_, i) => Array.from(f.values.subarray(i * f.dim, (i + 1) * f.dim)));
  // on unit vectors, Euclidean distance is a monotone function of cosine distance
  const umap = new UMAP({ nComponents: 2, nNeighbors: Math.min(15, n - 1), minDist: 0.1, nEpochs: 200, random: rng(seed) });
  const xy = await umap.fitAsync(rows);
  const map: EmbeddingMap = { x: xy.map((p) => p[0]), y: xy.map((p) => p[1]), labels: Array.from(sample.labels), classes: test.classes, title: `UMAP of ${n} ${test.name} features (dim ${f.dim})` };
  writeFileSafe(join(dir, EMBEDDING_JSON), JSON.stringify(map));
  return { file: EMBEDDING_JSON, points: n, method: 'umap-js, 15 neighbours, min_dist 0.1, 200 epochs' };
}

export async function writeFigures(dir: string, task: Task<'image'>, cfg: TaskConfig, encoder: Encoder, splits: EvalSets, opts: { mapPoints: number }): Promise<Figures> {
  // the encoder's L2-normalised features of the first mapPoints test images: the map and the neighbours
  const n = Math.min(opts.mapPoints, splits.test.shape[0]);
  const f = l2Normalize(await extractFeatures(encoder, subset(splits.test, Array.from({ length: n }, (_, i) => i))));
  return {
    augmentationGrid: await writeAugmentationGrid(dir, task, cfg, splits.train),
    embeddingMap: await writeEmbeddingMap(dir, f, splits.test, cfg.seed),
    neighbours: writeNeighbours(dir, splits.test, f),
  };
}
