// English text from the Debian package `fortunes`: one file per category, entries separated by
// lines holding only '%'. The files are UTF-8 (checked: a byte that is not is an error naming the
// file and its offset).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { TextDataset } from './text-dataset.js';
import { decodeUtf8 } from './utf8.js';

export const FORTUNES_DIR = '/usr/share/games/fortunes';

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
