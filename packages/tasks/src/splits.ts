// Loading a run's train and test splits (reads files: Node only; the browser entry leaves it out).
import { type ImageDataset, loadEmoji, loadFashionMnist, loadImageFolder, permutation, subset } from '@pretext/data';
import { checkDataset, type EvalSets } from './datasets.js';
import type { FolderRef } from './task.js';

/** Concatenates image sets of the same shape (emoji: Google then Twitter drawings). */
function concatSets(a: ImageDataset, b: ImageDataset, name: string): ImageDataset {
  const images = new Float32Array(a.images.length + b.images.length);
  images.set(a.images);
  images.set(b.images, a.images.length);
  const labels = new Int32Array(a.labels.length + b.labels.length);
  labels.set(a.labels);
  labels.set(b.labels, a.labels.length);
  return { name, images, shape: [a.shape[0] + b.shape[0], a.shape[1], a.shape[2], a.shape[3]], labels, classes: a.classes };
}

/** Google drawing i ↔ Twitter drawing i of a set that holds n emoji by Google, then the same n by Twitter. */
const vendorPartners = (n: number) => Int32Array.from({ length: 2 * n }, (_, i) => (i + n) % (2 * n));

/**
 * Fashion-MNIST: the official 60k/10k split. Emoji: a seeded 80/20 split of the emoji (both vendors'
 * drawings of one emoji land on the same side); pairs = the test emoji by both vendors; each split's
 * `partner` maps each drawing to the other vendor's drawing of the same emoji (no labels).
 */
export function loadSplits(id: string, opts: { trainLimit?: number; testLimit?: number; seed?: number; folder?: FolderRef } = {}): EvalSets {
  if (opts.folder) return folderSplits(id, opts.folder, opts);
  if (checkDataset(id) === 'fashion-mnist') {
    const train = loadFashionMnist('train');
    const test = loadFashionMnist('test');
    const cut = (d: ImageDataset, n?: number) => (n && n < d.shape[0] ? subset(d, permutation(d.shape[0], 1234).subarray(0, n), d.name) : d);
    return { train: cut(train, opts.trainLimit), test: cut(test, opts.testLimit) };
  }
  const e = loadEmoji();
  const n = e.google.shape[0];
  const order = permutation(n, opts.seed ?? 2024);
  const nTrain = Math.round(0.8 * n);
  const pick = (from: number, to: number) => order.subarray(from, to);
  const train = concatSets(subset(e.google, pick(0, nTrain)), subset(e.twitter, pick(0, nTrain)), 'emoji/train');
  train.partner = vendorPartners(nTrain);
  const testIdx = pick(nTrain, n);
  const google = subset(e.google, testIdx, 'emoji/test/google');
  const twitter = subset(e.twitter, testIdx, 'emoji/test/twitter');
  const test = concatSets(google, twitter, 'emoji/test');
  test.partner = vendorPartners(testIdx.length); // held-out pretext batches pair within the test split
  return { train, test, pairs: { google, twitter } };
}

/** Files named in a note before '… and N more'. */
const LISTED = 10;

/**
 * A folder of images: a seeded 80/20 split (at least one test image) of every readable image,
 * at the folder's size and channels; notes say what was resized, converted and skipped.
 */
export function folderSplits(dir: string, f: FolderRef, opts: { trainLimit?: number; testLimit?: number; seed?: number } = {}): EvalSets {
  const r = loadImageFolder(dir, { size: f.size, channels: f.channels });
  const n = r.data.shape[0];
  if (n < 2) throw new Error(`${dir}: ${n} readable image; a run needs at least 2 (train and test)`);
  const order = permutation(n, opts.seed ?? 2024);
  const nTest = Math.max(1, Math.round(0.2 * n));
  const take = (idx: Int32Array, limit: number | undefined, name: string) => subset(r.data, limit && limit < idx.length ? idx.subarray(0, limit) : idx, name);
  const notes = [...r.notes];
  if (r.skipped.length) {
    const list = r.skipped.slice(0, LISTED).map((s) => `${s.file} (${s.reason})`).join('; ');
    notes.push(`skipped ${r.skipped.length} unreadable file${r.skipped.length > 1 ? 's' : ''}: ${list}${r.skipped.length > LISTED ? `; … and ${r.skipped.length - LISTED} more` : ''}`);
  }
  if (r.fromCache) notes.push(`decoded images from the cache ${r.cacheFile}`);
  return { train: take(order.subarray(nTest), opts.trainLimit, `${r.data.name}/train`), test: take(order.subarray(0, nTest), opts.testLimit, `${r.data.name}/test`), notes };
}
