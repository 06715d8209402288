// A folder of the user's PNG and JPEG images as an ImageDataset: every image (sub-folders
// included) decoded, converted to the run's channel count and resized to size × size (shorter
// side, centre crop); the first-level sub-folder names are the labels (used by evaluation only).
// Unreadable files are skipped and listed; the decoded set is cached (8-bit) under the cache
// directory, keyed by every file's path, size and modification time, so a changed file reloads.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { decodeImage } from './decode.js';
import { imageHeader } from './image-header.js';
import { rgbaToChw } from './image-ops.js';
import type { ImageDataset } from './types.js';

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg'];
/** The class of images directly in the folder when others are in sub-folders. */
export const ROOT_CLASS = '(root)';

export interface FolderScan {
  /** Absolute path. */
  root: string;
  /** Image files relative to root, sorted. */
  files: string[];
  /** Class index per file; `classes` is ['(none)'] when the folder has no sub-folders. */
  labels: Int32Array;
  classes: string[];
  /** Files that are not .png/.jpg/.jpeg (ignored). */
  ignored: number;
  /** True when every image whose header reads is grayscale: the folder trains a 1-channel encoder. */
  gray: boolean;
}

export interface SkippedFile {
  file: string;
  reason: string;
}

export interface FolderDataset {
  data: ImageDataset;
  /** Files that failed to decode (not in `data`). */
  skipped: SkippedFile[];
  /** What was converted: mixed sizes resized, channels converted. */
  notes: string[];
  /** Where the decoded set is cached, and whether this load came from it. */
  cacheFile: string | null;
  fromCache: boolean;
}

const isImage = (f: string) => IMAGE_EXTENSIONS.some((e) => f.toLowerCase().endsWith(e));

/** Lists a folder's images and labels and reads their headers (cheap: no decoding). */
export function scanImageFolder(dir: string): FolderScan {
  const root = resolve(dir);
  if (!existsSync(root)) throw new Error(`image folder ${dir} does not exist`);
  if (!statSync(root).isDirectory()) throw new Error(`${dir} is not a folder (a folder of PNG/JPEG images, sub-folders as labels)`);
  const files: string[] = [];
  let ignored = 0;
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      if (name.startsWith('.')) continue;
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (isImage(name)) files.push(relative(root, p));
      else ignored++;
    }
  };
  walk(root);
  if (!files.length) throw new Error(`no images in ${dir}: looked for ${IMAGE_EXTENSIONS.join(', ')} files in it and its sub-folders${ignored ? ` (found ${ignored} other files)` : ''}`);
  files.sort();
  const nested = files.some((f) => f.includes(sep));
  const classOf = (f: string) => (f.includes(sep) ? f.slice(0, f.indexOf(sep)) : ROOT_CLASS);
  const classes = nested ? [...new Set(files.map(classOf))].sort() : ['(none)'];
  const labels = Int32Array.from(files, (f) => (nested ? classes.indexOf(classOf(f)) : 0));
  let gray = true;
  for (const f of files) {
    const head = imageHeader(readHead(join(root, f)));
    if (head && !head.gray) {
      gray = false;
      break;
    }
  }
  return { root, files, labels, classes, ignored, gray };
}

function readHead(path: string): Uint8Array {
  // PNG's colour type is at byte 25; a JPEG's frame header can follow large EXIF segments
  const b = readFileSync(path);
  return b.subarray(0, Math.min(b.length, 1 << 20));
}

/** $PRETEXT_CACHE, else $XDG_CACHE_HOME/pretext, else ~/.cache/pretext. */
export function cacheDir(): string {
  return process.env.PRETEXT_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'pretext');
}

export interface FolderOptions {
  /** Side of the square images (pixels). */
  size: number;
  channels: 1 | 3;
  /** Where to cache the decoded set; null: no cache. Default cacheDir()/folders. */
  cache?: string | null;
  /** The scan, if already made. */
  scan?: FolderScan;
}

const CACHE_MAGIC = 'PXFOLDER1';

/** Decodes (or reads from the cache) every image of a folder as (N, C, size, size) in [0, 1]. */
export function loadImageFolder(dir: string, opts: FolderOptions): FolderDataset {
  if (!(Number.isInteger(opts.size) && opts.size >= 4 && opts.size <= 1024)) throw new Error(`image size must be an integer in [4, 1024], got ${opts.size}`);
  const scan = opts.scan ?? scanImageFolder(dir);
  const { root, files } = scan;
  const stats = files.map((f) => statSync(join(root, f)));
  const key = createHash('sha256')
    .update(JSON.stringify({ v: CACHE_MAGIC, root, size: opts.size, channels: opts.channels, files: files.map((f, i) => [f, stats[i].size, stats[i].mtimeMs]) }))
    .digest('hex')
    .slice(0, 32);
  const dirOfCache = opts.cache === undefined ? join(cacheDir(), 'folders') : opts.cache;
  const cacheFile = dirOfCache ? join(dirOfCache, `${key}.bin`) : null;
  const name = `folder:${root}`;
  if (cacheFile && existsSync(cacheFile)) {
    const hit = readCache(cacheFile, name, scan.classes);
    if (hit) return { ...hit, cacheFile, fromCache: true };
  }

  const per = opts.channels * opts.size * opts.size;
  const pixels = new Float32Array(files.length * per);
  const keep: number[] = [];
  const skipped: SkippedFile[] = [];
  const sizes = new Map<string, number>();
  let converted = 0;
  for (let i = 0; i < files.length; i++) {
    const file = join(root, files[i]);
    try {
      const img = decodeImage(readFileSync(file), file);
      rgbaToChw(img.rgba, img.width, img.height, opts.size, opts.channels, pixels, keep.length * per);
      keep.push(i);
      sizes.set(`${img.width}×${img.height}`, (sizes.get(`${img.width}×${img.height}`) ?? 0) + 1);
      if (img.gray !== (opts.channels === 1)) converted++;
    } catch (e) {
      skipped.push({ file: files[i], reason: (e as Error).message.replace(`${file}: `, '') });
    }
  }
  if (!keep.length) throw new Error(`no readable images in ${dir}: all ${files.length} failed to decode (first: ${skipped[0].file}: ${skipped[0].reason})`);
  const n = keep.length;
  // quantised to 8 bits, so a run that reads the cache sees exactly what the first run saw
  const bytes = Uint8Array.from(pixels.subarray(0, n * per), (v) => Math.round(v * 255));
  const notes: string[] = [];
  if (sizes.size > 1 || !sizes.has(`${opts.size}×${opts.size}`)) {
    const list = [...sizes.entries()].sort((a, b) => b[1] - a[1]);
    notes.push(`${sizes.size > 1 ? `mixed sizes (${sizes.size}: ${list.slice(0, 3).map(([s, c]) => `${c}× ${s}`).join(', ')}${list.length > 3 ? ', …' : ''})` : `size ${list[0][0]}`} resized to ${opts.size}×${opts.size} (shorter side, centre crop)`);
  }
  if (converted) notes.push(`${converted} ${opts.channels === 1 ? 'colour' : 'grayscale'} image${converted > 1 ? 's' : ''} converted to ${opts.channels === 1 ? 'grayscale' : 'RGB'}`);
  const labels = Int32Array.from(keep, (i) => scan.labels[i]);
  const data: ImageDataset = { name, images: Float32Array.from(bytes, (b) => b / 255), shape: [n, opts.channels, opts.size, opts.size], labels, classes: scan.classes };
  if (cacheFile) writeCache(cacheFile, bytes, { shape: data.shape, labels: [...labels], skipped, notes });
  return { data, skipped, notes, cacheFile, fromCache: false };
}

interface CacheHeader {
  shape: [number, number, number, number];
  labels: number[];
  skipped: SkippedFile[];
  notes: string[];
}

/** The cache file: magic, u32 LE header length, JSON header, then N·C·S·S bytes. Written via temp + rename. */
function writeCache(file: string, bytes: Uint8Array, header: CacheHeader): void {
  const head = new TextEncoder().encode(JSON.stringify(header));
  const magic = new TextEncoder().encode(CACHE_MAGIC);
  const out = new Uint8Array(magic.length + 4 + head.length + bytes.length);
  out.set(magic);
  new DataView(out.buffer).setUint32(magic.length, head.length, true);
  out.set(head, magic.length + 4);
  out.set(bytes, magic.length + 4 + head.length);
  try {
    mkdirSync(join(file, '..'), { recursive: true });
    const tmp = `${file}.tmp-${process.pid}`;
    writeFileSync(tmp, out);
    renameSync(tmp, file);
  } catch {
    // a cache that cannot be written costs the next run a decode, nothing else
  }
}

/** The cached set, or null when the file is not a valid cache (it is then rebuilt). */
function readCache(file: string, name: string, classes: string[]): Omit<FolderDataset, 'cacheFile' | 'fromCache'> | null {
  try {
    const b = readFileSync(file);
    const magic = new TextEncoder().encode(CACHE_MAGIC);
    if (!magic.every((m, i) => b[i] === m)) return null;
    const len = b.readUInt32LE(magic.length);
    const h = JSON.parse(new TextDecoder().decode(b.subarray(magic.length + 4, magic.length + 4 + len))) as CacheHeader;
    const [n, c, s] = h.shape;
    const px = b.subarray(magic.length + 4 + len);
    if (px.length !== n * c * s * s || h.labels.length !== n) return null;
    const data: ImageDataset = { name, images: Float32Array.from(px, (v) => v / 255), shape: h.shape, labels: Int32Array.from(h.labels), classes };
    return { data, skipped: h.skipped, notes: h.notes };
  } catch {
    return null;
  }
}
