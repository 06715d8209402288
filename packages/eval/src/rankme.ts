// RankMe (Garrido et al. 2023): the effective rank of the feature matrix Z (N×D),
//   p_k = σ_k / Σσ + ε,  RankMe = exp(−Σ_k p_k log p_k),  ε = 1e-7,
// with σ_k the singular values of Z. σ_k² are the eigenvalues of the Gram matrix ZᵀZ (D×D) or
// ZZᵀ (N×N), whichever is smaller: one GPU matmul, then a Householder + QL eigen-solver on the host.
import { noGrad, tensor, tidy } from '@pretext/core';
import { checkFeatures, type Features } from './features.js';
import { symmetricEigenvalues } from './symmetric-eigen.js';

export interface RankMeResult {
  rankMe: number;
  /** Singular values of Z, descending. */
  singularValues: number[];
}

export const RANKME_MAX_DIM = 1024;
const F32_EPS = 2 ** -23;

export async function rankMe(f: Features, opts: { eps?: number } = {}): Promise<RankMeResult> {
  checkFeatures('rankMe', 'features', f);
  const m = Math.min(f.n, f.dim);
  if (m > RANKME_MAX_DIM) throw new Error(`rankMe: min(N, D) = ${m} is above ${RANKME_MAX_DIM}; the host eigen-solver is O(n³) — pass fewer rows or lower-dimensional features`);
  const eps = opts.eps ?? 1e-7;
  const g = noGrad(() =>
    tidy(() => {
      const Z = tensor(f.values, [f.n, f.dim]);
      return f.dim <= f.n ? Z.matmul(Z, { transA: true }) : Z.matmul(Z, { transB: true }); // (m, m)
    }),
  );
  const gram = await g.data();
  g.dispose();
  // The f32 Gram carries rounding of order ε_f32·m·λ_max in every eigenvalue; below that floor
  // λ is noise (√ would turn 1e-7 into 3e-4 and inflate the rank of collapsed features), so it is 0.
  const ev = symmetricEigenvalues(gram, m);
  const floor = Math.max(ev[0], 0) * m * F32_EPS;
  const sv = Array.from(ev, (l) => (l > floor ? Math.sqrt(l) : 0));
  const total = sv.reduce((a, b) => a + b, 0);
  if (total === 0) return { rankMe: 1, singularValues: sv }; // all-zero features: exp(−Σ ε log ε) ≈ 1
  let h = 0;
  for (const s of sv) {
    const p = s / total + eps;
    h -= p * Math.log(p);
  }
  return { rankMe: Math.exp(h), singularValues: sv };
}
