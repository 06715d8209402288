// Eigenvalues of a small symmetric matrix by cyclic Jacobi rotations (Golub & Van Loan §8.5),
// float64 on the host. Each rotation zeroes a_pq; sweeps repeat until the off-diagonal mass is
// negligible. O(n³) per sweep, ~6–10 sweeps: fine for n ≤ 512.

/** Eigenvalues (descending) of the symmetric n×n matrix a (row-major; only read, not modified). */
export function symmetricEigenvalues(a: ArrayLike<number>, n: number, opts: { maxSweeps?: number; tol?: number } = {}): Float64Array {
  if (!(Number.isInteger(n) && n > 0)) throw new Error(`symmetricEigenvalues: n must be a positive integer, got ${n}`);
  if (a.length !== n * n) throw new Error(`symmetricEigenvalues: matrix has ${a.length} values, expected n² = ${n * n}`);
  const m = Float64Array.from(a);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const s = 0.5 * (m[i * n + j] + m[j * n + i]); // symmetrise float32 round-off
      m[i * n + j] = s;
      m[j * n + i] = s;
    }
  }
  const tol = opts.tol ?? 1e-14;
  let diag = 0;
  for (let i = 0; i < n; i++) diag += m[i * n + i] ** 2;
  for (let sweep = 0; sweep < (opts.maxSweeps ?? 50); sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += m[i * n + j] ** 2;
    if (off <= tol * tol * Math.max(diag, 1e-300)) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q];
        if (apq === 0) continue;
        // θ = (a_qq − a_pp) / (2 a_pq); t = sign(θ) / (|θ| + √(θ² + 1)) is the smaller root tan φ
        const theta = (m[q * n + q] - m[p * n + p]) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        // A ← Jᵀ A J on rows/columns p and q
        for (let k = 0; k < n; k++) {
          const akp = m[k * n + p];
          const akq = m[k * n + q];
          m[k * n + p] = c * akp - s * akq;
          m[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = m[p * n + k];
          const aqk = m[q * n + k];
          m[p * n + k] = c * apk - s * aqk;
          m[q * n + k] = s * apk + c * aqk;
        }
      }
    }
  }
  const ev = new Float64Array(n);
  for (let i = 0; i < n; i++) ev[i] = m[i * n + i];
  return ev.sort().reverse();
}
