// Eigenvalues of a symmetric matrix on the host, float64: Householder reduction to tridiagonal
// form, then the implicit QL algorithm with Wilkinson-style shifts (EISPACK tred1/tql1, Numerical
// Recipes tred2/tqli without eigenvectors). ~4/3·n³ flops once, instead of Jacobi's ~4n³ per
// sweep: a 784×784 Gram (raw Fashion-MNIST pixels) takes well under a second.

/** Eigenvalues (descending) of the symmetric n×n matrix a (row-major; not modified). */
export function symmetricEigenvalues(a: ArrayLike<number>, n: number): Float64Array {
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
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  tridiagonalize(m, n, d, e);
  tql(d, e, n);
  return d.sort().reverse();
}

/** Householder: A = Q·T·Qᵀ, T tridiagonal with diagonal d and sub-diagonal e[1..n−1] (the lower triangle of A is used). */
function tridiagonalize(a: Float64Array, n: number, d: Float64Array, e: Float64Array): void {
  for (let i = n - 1; i > 0; i--) {
    const l = i - 1;
    let h = 0;
    if (l > 0) {
      let scale = 0;
      for (let k = 0; k <= l; k++) scale += Math.abs(a[i * n + k]);
      if (scale === 0) e[i] = a[i * n + l];
      else {
        // u = row i left of the diagonal, scaled; H = I − u·uᵀ/h zeroes a[i][0..l−1]
        for (let k = 0; k <= l; k++) {
          a[i * n + k] /= scale;
          h += a[i * n + k] ** 2;
        }
        let f = a[i * n + l];
        let g = f >= 0 ? -Math.sqrt(h) : Math.sqrt(h);
        e[i] = scale * g;
        h -= f * g;
        a[i * n + l] = f - g;
        f = 0;
        for (let j = 0; j <= l; j++) {
          // p = A·u / h, stored in e[0..l]
          g = 0;
          for (let k = 0; k <= j; k++) g += a[j * n + k] * a[i * n + k];
          for (let k = j + 1; k <= l; k++) g += a[k * n + j] * a[i * n + k];
          e[j] = g / h;
          f += e[j] * a[i * n + j];
        }
        const hh = f / (h + h);
        for (let j = 0; j <= l; j++) {
          // q = p − (uᵀp / 2h)·u; A ← A − q·uᵀ − u·qᵀ (lower triangle)
          f = a[i * n + j];
          g = e[j] - hh * f;
          e[j] = g;
          for (let k = 0; k <= j; k++) a[j * n + k] -= f * e[k] + g * a[i * n + k];
        }
      }
    } else e[i] = a[i * n + l];
  }
  for (let i = 0; i < n; i++) d[i] = a[i * n + i];
}

/** Implicit QL on the tridiagonal (d, e); d becomes the eigenvalues (unsorted). */
function tql(d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  for (let l = 0; l < n; l++) {
    let iter = 0;
    for (;;) {
      let m = l;
      for (; m < n - 1; m++) {
        const dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
        if (Math.abs(e[m]) <= Number.EPSILON * dd) break; // e[m] negligible: the matrix splits at m
      }
      if (m === l) break;
      if (++iter > 60) throw new Error('symmetricEigenvalues: QL iteration did not converge (NaN or Inf in the matrix?)');
      // shift from the leading 2×2 block's eigenvalue nearer d[l]
      let g = (d[l + 1] - d[l]) / (2 * e[l]);
      let r = Math.hypot(g, 1);
      g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let p = 0;
      let i = m - 1;
      for (; i >= l; i--) {
        // Givens rotation chasing the bulge up from m to l
        const f = s * e[i];
        const b = c * e[i];
        r = Math.hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          d[i + 1] -= p;
          e[m] = 0;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1] - p;
        r = (d[i] - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
      }
      if (r === 0 && i >= l) continue;
      d[l] -= p;
      e[l] = g;
      e[m] = 0;
    }
  }
}
