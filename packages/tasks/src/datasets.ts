// The datasets a task trains and evaluates on, by id.
import { type ImageDataset, loadEmoji, loadFashionMnist, subset } from '@pretext/data';
import { permutation } from '@pretext/data';
import type { DatasetOf } from './task.js';

export const DATASETS: readonly DatasetOf<'image'>[] = ['fashion-mnist', 'emoji'];

export function checkDataset(id: string): DatasetOf<'image'> {
  const known = DATASETS.find((d) => d === id);
  if (!known) throw new Error(`unknown dataset '${id}'; valid: ${DATASETS.join(', ')}`);
  return known;
}

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

export interface EvalSets {
  train: ImageDataset;
  test: ImageDataset;
  /** emoji only: row k of each is the same emoji drawn by Google and by Twitter (held-out retrieval). */
  pairs?: { google: ImageDataset; twitter: ImageDataset };
}

/**
 * Fashion-MNIST: the official 60k/10k split. Emoji: a seeded 80/20 split of the emoji (both vendors'
 * drawings of one emoji land on the same side); pairs = the test emoji by both vendors; each split's
 * `partner` maps each drawing to the other vendor's drawing of the same emoji (no labels).
 */
export function loadSplits(id: string, opts: { trainLimit?: number; testLimit?: number; seed?: number } = {}): EvalSets {
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
