// Colour images: the emoji of npm emoji-datasource-google and emoji-datasource-twitter (64×64 PNG),
// labelled by their 9 categories from emoji.json. The two vendors' drawings of one emoji are a
// natural positive pair (different artists, same concept).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PNG } from 'pngjs';
import { EMOJI_CATEGORIES } from './labels.js';
import type { ImageDataset } from './types.js';

export { EMOJI_CATEGORIES };
export type EmojiVendor = 'google' | 'twitter';

interface EmojiEntry {
  unified: string;
  image: string;
  category: string;
  short_name: string;
  has_img_google: boolean;
  has_img_twitter: boolean;
  skin_variations?: Record<string, { image: string; has_img_google: boolean; has_img_twitter: boolean }>;
}

function packageDir(vendor: EmojiVendor): string {
  const req = createRequire(import.meta.url);
  try {
    return dirname(req.resolve(`emoji-datasource-${vendor}/package.json`));
  } catch {
    throw new Error(`the emoji dataset needs the npm packages emoji-datasource-google and emoji-datasource-twitter (optional dependencies of @pretext/data); emoji-datasource-${vendor} is not installed: npm install emoji-datasource-google@16 emoji-datasource-twitter@16`);
  }
}

/** 64×64 RGBA PNG → RGB in [0, 1] composited on white, written CHW into out at `at`. */
export function decodeEmojiPng(bytes: Uint8Array, file: string, out: Float32Array, at: number, size = 64): void {
  let png: PNG;
  try {
    png = PNG.sync.read(Buffer.from(bytes));
  } catch (e) {
    throw new Error(`${file}: not a readable PNG (${(e as Error).message})`);
  }
  if (png.width !== size || png.height !== size) throw new Error(`${file}: ${png.width}×${png.height}, expected ${size}×${size}`);
  const hw = size * size;
  for (let p = 0; p < hw; p++) {
    const a = png.data[4 * p + 3] / 255;
    for (let c = 0; c < 3; c++) out[at + c * hw + p] = (png.data[4 * p + c] / 255) * a + (1 - a);
  }
}

export interface EmojiPairs {
  /** The same emoji drawn by each vendor, row k of each is emoji k. */
  google: ImageDataset;
  twitter: ImageDataset;
  names: string[];
}

/** Every emoji both vendors draw (skin tones optional), labelled by category. */
export function loadEmoji(opts: { skinTones?: boolean; limit?: number } = {}): EmojiPairs {
  const gdir = packageDir('google');
  const tdir = packageDir('twitter');
  const entries = JSON.parse(readFileSync(join(gdir, 'emoji.json'), 'utf8')) as EmojiEntry[];
  const items: { image: string; label: number; name: string }[] = [];
  for (const e of entries) {
    const label = EMOJI_CATEGORIES.indexOf(e.category);
    if (label < 0) continue;
    if (e.has_img_google && e.has_img_twitter) items.push({ image: e.image, label, name: e.short_name });
    if (opts.skinTones) {
      for (const [k, v] of Object.entries(e.skin_variations ?? {})) {
        if (v.has_img_google && v.has_img_twitter) items.push({ image: v.image, label, name: `${e.short_name}:${k}` });
      }
    }
  }
  const n = Math.min(items.length, opts.limit ?? items.length);
  const load = (vendor: EmojiVendor, dir: string): ImageDataset => {
    const images = new Float32Array(n * 3 * 64 * 64);
    for (let i = 0; i < n; i++) {
      const file = join(dir, 'img', vendor, '64', items[i].image);
      if (!existsSync(file)) throw new Error(`emoji image ${file} is missing (emoji-datasource-${vendor} incomplete?)`);
      decodeEmojiPng(readFileSync(file), file, images, i * 3 * 64 * 64);
    }
    return { name: `emoji/${vendor}`, images, shape: [n, 3, 64, 64], labels: Int32Array.from(items.slice(0, n), (it) => it.label), classes: EMOJI_CATEGORIES };
  };
  return { google: load('google', gdir), twitter: load('twitter', tdir), names: items.slice(0, n).map((it) => it.name) };
}
