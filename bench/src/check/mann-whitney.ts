// The Mann-Whitney U rank test (Wilcoxon rank-sum), two-sided, as Chromium's Pinpoint uses to
// tell two sets of timings apart without assuming they are normal. Matches
// scipy.stats.mannwhitneyu(x, y, alternative='two-sided', method='exact' | 'asymptotic').
//
// U of x = R_x − n_x(n_x + 1)/2, R_x the sum of x's ranks in the pooled sample (ties get their
// mean rank): the number of pairs (x_i, y_j) with x_i > y_j, ties counting ½. Under H0 (same
// distribution) U has mean n_x·n_y/2; the p-value is twice the tail beyond max(U, n_x·n_y − U).

export type MwuMethod = 'exact' | 'asymptotic' | 'auto';

export interface MwuResult {
  /** U of the first sample. */
  u: number;
  /** Two-sided p-value. */
  p: number;
  method: 'exact' | 'asymptotic';
}

/** Mid-ranks (1-based) of the pooled sample, and Σ(t³ − t) over the groups of t tied values. */
export function midRanks(values: readonly number[]): { ranks: number[]; tieTerm: number } {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(values.length);
  let tieTerm = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    const t = j - i + 1;
    for (let k = i; k <= j; k++) ranks[order[k][1]] = (i + j) / 2 + 1;
    tieTerm += t * t * t - t;
    i = j + 1;
  }
  return { ranks, tieTerm };
}

/**
 * P(U = u) for sample sizes m, n with no ties, u = 0 … m·n. Recurrence on the largest value of
 * the pooled sample: it is an x with probability m/(m+n), and then beats all n y's:
 *   P_{m,n}(u) = m/(m+n) · P_{m−1,n}(u − n) + n/(m+n) · P_{m,n−1}(u).
 * Probabilities rather than counts, so C(m+n, m) never overflows.
 */
export function exactUDistribution(m: number, n: number): Float64Array {
  // rows[j] holds P_{i,j} for the current i, j = 0 … n
  let prev: Float64Array[] = Array.from({ length: n + 1 }, () => Float64Array.of(1)); // i = 0
  for (let i = 1; i <= m; i++) {
    const cur: Float64Array[] = [Float64Array.of(1)]; // j = 0
    for (let j = 1; j <= n; j++) {
      const d = new Float64Array(i * j + 1);
      const a = prev[j]; // P_{i−1,j}, shifted by j
      const b = cur[j - 1]; // P_{i,j−1}
      const wa = i / (i + j);
      const wb = j / (i + j);
      for (let u = 0; u < a.length; u++) d[u + j] += wa * a[u];
      for (let u = 0; u < b.length; u++) d[u] += wb * b[u];
      cur.push(d);
    }
    prev = cur;
  }
  return prev[n];
}

/** 1 − Φ(z), the standard normal's upper tail, to ~1e-14 relative. */
export function normalSf(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

function erfc(x: number): number {
  if (x < 0) return 2 - erfc(-x);
  if (x < 3) {
    // erf(x) = 2/√π · e^{−x²} · Σ_k 2^k x^{2k+1} / (1·3·…·(2k+1)): positive terms, no cancellation
    let term = x;
    let sum = x;
    for (let k = 1; k < 200 && term > sum * 1e-17; k++) {
      term *= (2 * x * x) / (2 * k + 1);
      sum += term;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
  }
  // continued fraction erfc(x) = e^{−x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), evaluated backwards
  let t = x;
  for (let k = 120; k >= 1; k--) t = x + k / 2 / t;
  return Math.exp(-x * x) / (Math.sqrt(Math.PI) * t);
}

/** Above this m·n the exact distribution costs too much; the normal approximation is good there. */
const EXACT_MAX_PAIRS = 2500;

/**
 * Two-sided Mann-Whitney U test of x against y. 'auto': exact when there are no ties and
 * m·n ≤ 2500, else the normal approximation with the tie correction and a continuity correction.
 */
export function mannWhitneyU(x: readonly number[], y: readonly number[], method: MwuMethod = 'auto'): MwuResult {
  const m = x.length;
  const n = y.length;
  if (m === 0 || n === 0) throw new RangeError(`mannWhitneyU needs two non-empty samples, got ${m} and ${n} values`);
  if ([...x, ...y].some((v) => !Number.isFinite(v))) throw new RangeError('mannWhitneyU: samples must be finite numbers');
  const { ranks, tieTerm } = midRanks([...x, ...y]);
  let rx = 0;
  for (let i = 0; i < m; i++) rx += ranks[i];
  const u = rx - (m * (m + 1)) / 2;
  const big = Math.max(u, m * n - u);
  const exact = method === 'exact' || (method === 'auto' && tieTerm === 0 && m * n <= EXACT_MAX_PAIRS);
  if (exact) {
    if (tieTerm !== 0) throw new RangeError("mannWhitneyU: method 'exact' assumes no ties; use 'asymptotic'");
    const dist = exactUDistribution(m, n);
    let tail = 0; // P(U ≥ big)
    for (let k = Math.ceil(big); k <= m * n; k++) tail += dist[k];
    return { u, p: Math.min(1, 2 * tail), method: 'exact' };
  }
  const total = m + n;
  const variance = ((m * n) / 12) * (total + 1 - tieTerm / (total * (total - 1)));
  if (!(variance > 0)) return { u, p: 1, method: 'asymptotic' }; // every value tied: no evidence of a difference
  const z = (big - (m * n) / 2 - 0.5) / Math.sqrt(variance);
  return { u, p: Math.min(1, 2 * normalSf(z)), method: 'asymptotic' };
}
