// Labelled text entries in memory: subsets and a seeded split by entry.
import { permutation } from '../loader.js';

/** Labelled text entries. */
export interface TextDataset {
  name: string;
  texts: string[];
  /** Category index per text. */
  labels: Int32Array;
  categories: string[];
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
