// Cosine similarity in row chunks on the GPU: S = Q̂·Ĝᵀ for a chunk of queries against the whole
// gallery, so the full (Nq × Ng) matrix is never stored. Rows are L2-normalised on the host first.
import { concat, noGrad, type Tensor, tensor, tidy } from '@pretext/core';
import { type Features, l2Normalize, rowBlocks } from './features.js';

/** Rows per chunk such that one (chunk × Ng) f32 block stays under ~64 MB. */
export function chunkRows(galleryRows: number, requested?: number): number {
  if (requested !== undefined) {
    if (!(Number.isInteger(requested) && requested > 0)) throw new Error(`chunk must be a positive integer, got ${requested}`);
    return requested;
  }
  return Math.max(1, Math.min(1024, Math.floor((16 * 1024 * 1024) / Math.max(1, galleryRows))));
}

/**
 * Calls `body(sims, lo, hi)` for each chunk of query rows [lo, hi), sims = cosine similarities
 * (hi − lo, Ng) on the GPU, inside a tidy scope; its return value is collected (awaited in order).
 */
export async function forEachSimilarityChunk<R>(queries: Features, gallery: Features, body: (sims: Tensor, lo: number, hi: number) => Tensor, read: (out: Tensor, lo: number, hi: number) => Promise<R>, chunk?: number): Promise<R[]> {
  if (queries.dim !== gallery.dim) throw new Error(`similarity: queries have dim ${queries.dim}, gallery ${gallery.dim}`);
  const q = l2Normalize(queries);
  const g = l2Normalize(gallery);
  const rows = chunkRows(g.n, chunk);
  // (Ng, D), in row blocks when it is larger than one upload
  const G = rowBlocks(g).map(([a, b]) => tensor(g.values.subarray(a * g.dim, b * g.dim), [b - a, g.dim]));
  const out: R[] = [];
  try {
    for (let lo = 0; lo < q.n; lo += rows) {
      const hi = Math.min(q.n, lo + rows);
      const t = noGrad(() =>
        tidy(() => {
          const Q = tensor(q.values.subarray(lo * q.dim, hi * q.dim), [hi - lo, q.dim]); // (c, D)
          const parts = G.map((Gb) => Q.matmul(Gb, { transB: true })); // (c, Ng_b) each
          return body(parts.length === 1 ? parts[0] : concat(parts, 1), lo, hi); // sims (c, Ng)
        }),
      );
      try {
        out.push(await read(t, lo, hi));
      } finally {
        t.dispose();
      }
    }
  } finally {
    for (const Gb of G) Gb.dispose();
  }
  return out;
}
