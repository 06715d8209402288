// Alignment and uniformity (Wang & Isola 2020) on L2-normalised features x̂, ŷ of positive pairs:
//   align = E_i ‖x̂_i − ŷ_i‖^α            (α = 2)
//   unif  = log E_{i≠j} exp(−t‖x̂_i − x̂_j‖²)  (t = 2), averaged over the two views as in their code.
// For unit vectors ‖x̂_i − x̂_j‖² = 2 − 2·x̂_i·x̂_j, so the pairwise term comes from Gram chunks.
import { mul, noGrad, pow, relu, sum, tensor, tidy } from '@pretext/core';
import { checkFeatures, type Features, l2Normalize, rowBlocks } from './features.js';
import { forEachSimilarityChunk } from './similarity.js';

export interface AlignUniformResult {
  alignment: number;
  uniformity: number;
}

/** log mean_{i≠j} exp(−t‖x̂_i − x̂_j‖²) over the rows of f (needs ≥ 2 rows). */
export async function uniformity(f: Features, opts: { t?: number; chunk?: number } = {}): Promise<number> {
  checkFeatures('uniformity', 'features', f);
  if (f.n < 2) throw new Error(`uniformity: needs at least 2 rows, got ${f.n}`);
  const t = opts.t ?? 2;
  const sums = await forEachSimilarityChunk(
    f,
    f,
    // Σ_j exp(−t·max(0, 2 − 2s_ij)) over a chunk of rows, the diagonal included (each term exp(0) = 1)
    (sims) => sum(mul(relu(sims.mul(-2).add(2)), -t).exp()),
    async (s) => (await s.item()) as number,
    opts.chunk,
  );
  const total = sums.reduce((a, b) => a + b, 0) - f.n; // drop the N diagonal terms
  return Math.log(Math.max(total, 0) / (f.n * (f.n - 1)));
}

/** Alignment of the pairs (row i of a with row i of b) and the uniformity of each view, averaged. */
export async function alignmentUniformity(a: Features, b: Features, opts: { alpha?: number; t?: number; chunk?: number } = {}): Promise<AlignUniformResult> {
  checkFeatures('alignmentUniformity', 'first view', a);
  checkFeatures('alignmentUniformity', 'second view', b);
  if (a.n !== b.n || a.dim !== b.dim) throw new Error(`alignmentUniformity: the two views must have the same shape, got ${a.n}×${a.dim} and ${b.n}×${b.dim} (row i of each is one positive pair)`);
  const alpha = opts.alpha ?? 2;
  if (!(alpha > 0)) throw new Error(`alignmentUniformity: alpha must be > 0, got ${alpha}`);
  const an = l2Normalize(a);
  const bn = l2Normalize(b);
  let total = 0;
  for (const [lo, hi] of rowBlocks(a)) {
    const s = noGrad(() =>
      tidy(() => {
        const rows = (f: Features) => tensor(f.values.subarray(lo * f.dim, hi * f.dim), [hi - lo, f.dim]);
        const d = rows(an).sub(rows(bn)); // (rows, D)
        const sq = sum(d.square(), -1); // ‖x̂_i − ŷ_i‖² (rows)
        return sum(alpha === 2 ? sq : pow(relu(sq), alpha / 2)); // Σ_i ‖·‖^α
      }),
    );
    total += await s.item();
    s.dispose();
  }
  const alignment = total / a.n;
  const unif = ((await uniformity(a, opts)) + (await uniformity(b, opts))) / 2;
  return { alignment, uniformity: unif };
}
