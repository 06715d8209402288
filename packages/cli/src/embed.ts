// `pretext embed <DIR> --input <folder|dataset> --out FILE`: the run's encoder applied to every
// image of a folder (or a known dataset's split), in batches; the embeddings written as
// safetensors (`embeddings` (N, D) f32, `labels` (N) i32; classes and source in the metadata) and
// as .npy beside it, the folder's file per row as .txt, and the nearest neighbours of a few
// queries as an image grid (row: the query, then its neighbours by cosine similarity).
import { mkdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { encodeSafetensors } from '@pretext/core';
import { type ImageDataset, imageGridPng, loadImageFolder, permutation, scanImageFolder, subset } from '@pretext/data';
import { extractFeatures, l2Normalize } from '@pretext/eval';
import { type AnyTask, DATASETS, imageShapeOf, loadSplits } from '@pretext/tasks';
import { writeFileSafe } from './safe-fs.js';
import { loadEncoder } from './encoder-checkpoint.js';
import { parseFlags, UsageError } from './flags.js';
import { encodeNpy } from './npy.js';

export interface EmbedArgs {
  command: 'embed';
  dir: string;
  input: string;
  out: string;
  /** A known dataset's split to embed (default test). */
  split: 'train' | 'test';
  batchSize: number;
  /** Queries in the neighbour grid (0: none). */
  queries: number;
}

export const EMBED_USAGE = `  embed <DIR> --input <folder|dataset> --out FILE.safetensors [--split test|train]
        [--batch-size N] [--queries K]
      Embeddings of every image (FILE.safetensors, FILE.npy, FILE.txt for a folder's files)
      and the nearest neighbours of K queries (FILE-neighbours.png).`;

const NEIGHBOURS = 7;

export function parseEmbed(rest: string[]): EmbedArgs {
  const { values: v, positionals } = parseFlags(rest, { input: 'string', out: 'string', split: 'string', 'batch-size': 'string', queries: 'string' }, 'embed', '; see `pretext --help`');
  if (positionals.length !== 1) throw new UsageError(`pretext embed takes one run directory, got ${positionals.length ? positionals.map((p) => `'${p}'`).join(' ') : 'none'}`);
  if (!v.input) throw new UsageError('pretext embed needs --input <folder of images | fashion-mnist | emoji>');
  if (!v.out) throw new UsageError('pretext embed needs --out FILE.safetensors');
  const split = (v.split as string | undefined) ?? 'test';
  if (split !== 'train' && split !== 'test') throw new UsageError(`--split must be train or test, got '${split}'`);
  const int = (k: string, d: number, min: number, max: number) => {
    const s = v[k] as string | undefined;
    if (s === undefined) return d;
    const n = Number(s);
    if (!/^\d+$/.test(s) || n < min || n > max) throw new UsageError(`--${k} must be an integer in [${min}, ${max}], got '${s}'`);
    return n;
  };
  return { command: 'embed', dir: positionals[0], input: v.input as string, out: (v.out as string).replace(/\.(safetensors|npy)$/, '') + '.safetensors', split, batchSize: int('batch-size', 256, 1, 65536), queries: int('queries', 8, 0, 64) };
}

export async function embedCommand(a: EmbedArgs, tasks: Record<string, AnyTask>, log: (l: string) => void = console.log): Promise<number> {
  const run = await loadEncoder(a.dir, tasks);
  try {
    const [c, h, w] = imageShapeOf(run.cfg);
    // the images, at the shape the encoder takes
    let data: ImageDataset;
    let files: string[] | undefined;
    if ((DATASETS as readonly string[]).includes(a.input)) {
      const known = imageShapeOf({ dataset: a.input });
      if (known.join() !== [c, h, w].join()) throw new UsageError(`the encoder of ${a.dir} takes ${c}×${h}×${w} images; ${a.input} has ${known.join('×')}`);
      const s = loadSplits(a.input);
      data = a.split === 'train' ? s.train : s.test;
    } else {
      let scan: ReturnType<typeof scanImageFolder>;
      try {
        scan = scanImageFolder(a.input);
      } catch (e) {
        throw new UsageError(`--input '${a.input}' is neither a known dataset (${DATASETS.join(', ')}) nor a folder of images: ${(e as Error).message}`);
      }
      const r = loadImageFolder(a.input, { size: h, channels: c as 1 | 3, scan });
      for (const n of r.notes) log(`note      ${n}`);
      if (r.skipped.length) log(`skipped   ${r.skipped.length} unreadable: ${r.skipped.slice(0, 10).map((s) => `${s.file} (${s.reason})`).join('; ')}${r.skipped.length > 10 ? '; …' : ''}`);
      data = r.data;
      const skipped = new Set(r.skipped.map((s) => s.file));
      files = scan.files.filter((f) => !skipped.has(f));
    }
    log(`embed     ${data.shape[0]} images [${data.shape.slice(1).join('×')}] with ${run.task.id} (step ${run.meta.step}) in batches of ${a.batchSize}`);
    const t0 = performance.now();
    const f = await extractFeatures(run.encoder, data, { batchSize: a.batchSize });
    const secs = (performance.now() - t0) / 1000;

    // write: safetensors, .npy, the folder's files, the neighbour grid
    mkdirSync(dirname(a.out) || '.', { recursive: true });
    const stem = a.out.replace(/\.safetensors$/, '');
    const meta = { 'pretext.source': a.input, 'pretext.classes': JSON.stringify(data.classes), 'pretext.run': a.dir, 'pretext.step': String(run.meta.step) };
    writeFileSafe(a.out, encodeSafetensors(new Map([['embeddings', { dtype: 'f32' as const, shape: [f.n, f.dim], data: f.values }], ['labels', { dtype: 'i32' as const, shape: [f.n], data: data.labels }]]), meta));
    writeFileSafe(`${stem}.npy`, encodeNpy(f.values, [f.n, f.dim]));
    if (files) writeFileSafe(`${stem}.txt`, `${files.join('\n')}\n`);
    log(`wrote     ${a.out} and ${basename(stem)}.npy: ${f.n} × ${f.dim} (${(f.n / secs).toFixed(0)} images/s)${files ? `; row i is line i of ${basename(stem)}.txt` : ''}`);
    if (a.queries > 0 && f.n > 1) {
      const grid = `${stem}-neighbours.png`;
      writeFileSafe(grid, neighbourGrid(data, f.values, f.dim, Math.min(a.queries, f.n), run.cfg.seed));
      log(`neighbours ${grid}: ${Math.min(a.queries, f.n)} queries (first column), then their ${Math.min(NEIGHBOURS, f.n - 1)} nearest by cosine similarity`);
    }
  } finally {
    run.encoder.dispose();
  }
  return 0;
}

/** Rows of [query, its nearest neighbours by cosine similarity (itself excluded)], as a PNG. */
export function nearestNeighbours(values: Float32Array, dim: number, query: number, k: number): number[] {
  const n = values.length / dim;
  const z = l2Normalize({ values, n, dim }).values;
  const sims: [number, number][] = [];
  for (let j = 0; j < n; j++) {
    if (j === query) continue;
    let s = 0;
    for (let d = 0; d < dim; d++) s += z[query * dim + d] * z[j * dim + d];
    sims.push([s, j]);
  }
  return sims.sort((p, q) => q[0] - p[0] || p[1] - q[1]).slice(0, k).map(([, j]) => j);
}

function neighbourGrid(data: ImageDataset, values: Float32Array, dim: number, queries: number, seed: number): Uint8Array {
  const k = Math.min(NEIGHBOURS, data.shape[0] - 1);
  const picks = permutation(data.shape[0], seed + 31).subarray(0, queries);
  const rows = Array.from(picks, (q) => [q, ...nearestNeighbours(values, dim, q, k)]).flat();
  const tiles = subset(data, rows);
  return imageGridPng(tiles.images, tiles.shape, k + 1);
}
