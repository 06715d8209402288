// English text from the Debian package `fortunes`: one file per category, entries separated by
// lines holding only '%'. The files are UTF-8 (checked: a byte that is not is an error naming the
// file and its offset).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { permutation } from '../loader.js';
import { decodeUtf8 } from './utf8.js';

export const FORTUNES_DIR = '/usr/share/games/fortunes';

/** Labelled text entries. */
export interface TextDataset {
  name: string;
  texts: string[];
  /** Category index per text. */
  labels: Int32Array;
  categories: string[];
}

/** Every entry of every category file in `dir`, categories in file-name order. */
export function loadFortunes(opts: { dir?: string; minLength?: number } = {}): TextDataset {
  const dir = opts.dir ?? FORTUNES_DIR;
  if (!existsSync(dir)) throw new Error(`fortunes not found at ${dir}. Install with: bash scripts/setup.sh (or, as root: apt-get install fortunes)`);
  const files = readdirSync(dir).filter((f) => !f.includes('.') && statSync(join(dir, f)).isFile()).sort();
  if (!files.length) throw new Error(`${dir}: no fortune files (expected category files such as 'computers', 'science')`);
  const texts: string[] = [];
  const labels: number[] = [];
  files.forEach((f, c) => {
    const path = join(dir, f);
    for (const entry of decodeUtf8(readFileSync(path), path).split(/\r?\n%\r?\n/)) {
      const t = entry.trim();
      if (t.length >= (opts.minLength ?? 1)) {
        texts.push(t);
        labels.push(c);
      }
    }
  });
  return { name: 'fortunes', texts, labels: Int32Array.from(labels), categories: files };
}

/** Entries i of a text set, in the order of idx. */
export function textSubset(ds: TextDataset, idx: ArrayLike<number>, name = ds.name): TextDataset {
  return { name, texts: Array.from(idx, (i) => ds.texts[i]), labels: Int32Array.from(idx, (i) => ds.labels[i]), categories: ds.categories };
}

/** A seeded split by entry: a `validFraction` of the entries (at least one) for validation, each keeping its category. */
export function splitText(ds: TextDataset, validFraction: number, seed: number): { train: TextDataset; valid: TextDataset } {
  if (!(validFraction > 0 && validFraction < 1)) throw new Error(`splitText: validFraction must be in (0, 1), got ${validFraction}`);
  if (ds.texts.length < 2) throw new Error(`splitText: ${ds.name} has ${ds.texts.length} entries; need at least 2`);
  const order = permutation(ds.texts.length, seed);
  const nValid = Math.max(1, Math.round(validFraction * ds.texts.length));
  const sorted = (a: Int32Array) => Int32Array.from(a).sort();
  return { train: textSubset(ds, sorted(order.subarray(nValid)), `${ds.name}/train`), valid: textSubset(ds, sorted(order.subarray(0, nValid)), `${ds.name}/valid`) };
}
