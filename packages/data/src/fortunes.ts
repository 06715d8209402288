// English text from the Debian package `fortunes`: one file per category, entries separated by
// lines holding only '%'.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const FORTUNES_DIR = '/usr/share/games/fortunes';

export interface TextDataset {
  texts: string[];
  /** Category index per text. */
  labels: Int32Array;
  categories: string[];
}

export function loadFortunes(opts: { dir?: string; minLength?: number } = {}): TextDataset {
  const dir = opts.dir ?? FORTUNES_DIR;
  if (!existsSync(dir)) throw new Error(`fortunes not found at ${dir}. Install with: bash scripts/setup.sh (or, as root: apt-get install fortunes)`);
  const files = readdirSync(dir).filter((f) => !f.includes('.') && statSync(join(dir, f)).isFile()).sort();
  if (!files.length) throw new Error(`${dir}: no fortune files (expected category files such as 'computers', 'science')`);
  const texts: string[] = [];
  const labels: number[] = [];
  files.forEach((f, c) => {
    for (const entry of readFileSync(join(dir, f), 'latin1').split(/\r?\n%\r?\n/)) {
      const t = entry.trim();
      if (t.length >= (opts.minLength ?? 1)) {
        texts.push(t);
        labels.push(c);
      }
    }
  });
  return { texts, labels: Int32Array.from(labels), categories: files };
}
