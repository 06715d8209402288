// Weighted kNN classifier (Wu et al. 2018, InstDisc; the protocol lightly and solo-learn report):
// cosine similarities to every training feature, the k most similar vote for their label with
// weight exp(sim / τ), the class with the largest summed weight wins.
import { checkFeatures, checkLabels, type Features, numClasses } from './features.js';
import { forEachSimilarityChunk } from './similarity.js';

export interface KnnOptions {
  /** Neighbours (default 200). */
  k?: number;
  /** Temperature of the vote weights (default 0.1). */
  tau?: number;
  classes?: number;
  /** Query rows per GPU chunk. */
  chunk?: number;
}

export interface KnnResult {
  top1: number;
  k: number;
  tau: number;
}

/** Indices of the k largest entries of row (ties: lower index first), largest first. */
export function topK(row: Float32Array, k: number): Int32Array {
  // A min-heap of the best k seen so far, by (value, −index): O(n log k).
  const hv = new Float64Array(k);
  const hi = new Int32Array(k);
  let size = 0;
  const less = (a: number, b: number) => hv[a] < hv[b] || (hv[a] === hv[b] && hi[a] > hi[b]);
  const swap = (a: number, b: number) => {
    [hv[a], hv[b]] = [hv[b], hv[a]];
    [hi[a], hi[b]] = [hi[b], hi[a]];
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < size && less(l, m)) m = l;
      if (r < size && less(r, m)) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  for (let j = 0; j < row.length; j++) {
    const v = row[j];
    if (size < k) {
      hv[size] = v;
      hi[size] = j;
      let c = size++;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (!less(c, p)) break;
        swap(c, p);
        c = p;
      }
    } else if (v > hv[0]) {
      hv[0] = v;
      hi[0] = j;
      down(0);
    }
  }
  const order = Array.from({ length: size }, (_, i) => i).sort((a, b) => hv[b] - hv[a] || hi[a] - hi[b]);
  return Int32Array.from(order, (i) => hi[i]);
}

/** Predicted class of each test row by the weighted vote of its k nearest training rows. */
export async function knnPredict(trainFeats: Features, trainLabels: Int32Array, testFeats: Features, opts: KnnOptions = {}): Promise<Int32Array> {
  const op = 'knn';
  checkFeatures(op, 'train features', trainFeats);
  checkFeatures(op, 'test features', testFeats);
  checkLabels(op, 'train labels', trainLabels, trainFeats.n);
  if (trainFeats.dim !== testFeats.dim) throw new Error(`${op}: train features have dim ${trainFeats.dim}, test features ${testFeats.dim}`);
  const k = opts.k ?? 200;
  const tau = opts.tau ?? 0.1;
  if (!(Number.isInteger(k) && k >= 1)) throw new Error(`${op}: k must be a positive integer, got ${k}`);
  if (k > trainFeats.n) throw new Error(`${op}: k = ${k} is larger than the number of training rows (${trainFeats.n})`);
  if (!(tau > 0 && Number.isFinite(tau))) throw new Error(`${op}: tau must be a finite number > 0, got ${tau}`);
  const classes = opts.classes ?? numClasses(trainLabels);
  const pred = new Int32Array(testFeats.n);
  const votes = new Float64Array(classes);
  await forEachSimilarityChunk(
    testFeats,
    trainFeats,
    (sims) => sims,
    async (sims, lo, hi) => {
      const s = (await sims.data()) as Float32Array; // (c, Ntrain)
      const n = trainFeats.n;
      for (let r = 0; r < hi - lo; r++) {
        const row = s.subarray(r * n, (r + 1) * n);
        votes.fill(0);
        for (const j of topK(row, k)) votes[trainLabels[j]] += Math.exp(row[j] / tau);
        let best = 0;
        for (let c = 1; c < classes; c++) if (votes[c] > votes[best]) best = c;
        pred[lo + r] = best;
      }
    },
    opts.chunk,
  );
  return pred;
}

/** kNN top-1 accuracy on the test split. */
export async function knn(trainFeats: Features, trainLabels: Int32Array, testFeats: Features, testLabels: Int32Array, opts: KnnOptions = {}): Promise<KnnResult> {
  checkFeatures('knn', 'test features', testFeats);
  checkLabels('knn', 'test labels', testLabels, testFeats.n);
  const pred = await knnPredict(trainFeats, trainLabels, testFeats, opts);
  let correct = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === testLabels[i]) correct++;
  return { top1: correct / pred.length, k: opts.k ?? 200, tau: opts.tau ?? 0.1 };
}
