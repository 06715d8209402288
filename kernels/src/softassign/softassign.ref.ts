// CPU reference for softassign.wgsl in float64: sort every codeword by distance (a stable sort:
// ties keep the lower index), keep the first k, Gaussian weights normalised over them.
export interface SoftAssignRef {
  index: Int32Array;
  prob: Float64Array;
  weight?: Float64Array;
}

/** points (N, D, S…) planar, codebook (Q·D) row-major. */
export function softAssignRef(points: ArrayLike<number>, shape: readonly number[], codebook: ArrayLike<number>, k: number, sigma: number, codeWeights?: ArrayLike<number>): SoftAssignRef {
  const [n, D] = shape;
  const S = shape.slice(2).reduce((a, b) => a * b, 1);
  const Q = codebook.length / D;
  const index = new Int32Array(n * k * S);
  const prob = new Float64Array(n * k * S);
  const weight = codeWeights ? new Float64Array(n * S) : undefined;
  for (let b = 0; b < n; b++) {
    for (let s = 0; s < S; s++) {
      const dist = Array.from({ length: Q }, (_, q) => {
        let d = 0;
        for (let c = 0; c < D; c++) d += (points[(b * D + c) * S + s] - codebook[q * D + c]) ** 2;
        return { q, d };
      });
      const near = dist.sort((u, v) => u.d - v.d).slice(0, k);
      const e = near.map(({ d }) => Math.exp(-(d - near[0].d) / (2 * sigma * sigma)));
      const total = e.reduce((a, v) => a + v, 0);
      near.forEach(({ q }, j) => {
        index[(b * k + j) * S + s] = q;
        prob[(b * k + j) * S + s] = e[j] / total;
      });
      if (weight && codeWeights) weight[b * S + s] = codeWeights[near[0].q];
    }
  }
  return { index, prob, weight };
}
