// Cross-view retrieval recall@1: query i (e.g. Google's drawing of emoji i) retrieves the gallery
// row with the largest cosine similarity (among all Twitter drawings); a hit when that row is i.
import { argmax } from '@pretext/core';
import { checkFeatures, type Features } from './features.js';
import { forEachSimilarityChunk } from './similarity.js';

export interface RetrievalResult {
  recallAt1: number;
  n: number;
}

export async function retrievalRecallAt1(queries: Features, gallery: Features, opts: { chunk?: number } = {}): Promise<RetrievalResult> {
  checkFeatures('retrievalRecallAt1', 'queries', queries);
  checkFeatures('retrievalRecallAt1', 'gallery', gallery);
  if (queries.n !== gallery.n) throw new Error(`retrievalRecallAt1: ${queries.n} queries but ${gallery.n} gallery rows; row i of each must be the same item`);
  const hits = await forEachSimilarityChunk(
    queries,
    gallery,
    (sims) => argmax(sims, -1), // (c) i32: the nearest gallery row
    async (nn, lo) => {
      const p = await nn.data();
      let h = 0;
      for (let r = 0; r < p.length; r++) if (p[r] === lo + r) h++;
      return h;
    },
    opts.chunk,
  );
  return { recallAt1: hits.reduce((a, b) => a + b, 0) / queries.n, n: queries.n };
}
