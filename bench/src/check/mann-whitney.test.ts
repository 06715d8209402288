import { describe, expect, it } from 'vitest';
import { exactUDistribution, mannWhitneyU, midRanks, normalSf } from './mann-whitney.js';

// Expected values from scipy 1.17.1: scipy.stats.mannwhitneyu(x, y, alternative='two-sided',
// method=...) and scipy.stats.norm.sf.
const DOCS = { x: [19, 22, 16, 29, 24], y: [20, 11, 17, 12] }; // scipy's documentation example
const TEN = {
  x: [1.31, 1.29, 1.35, 1.3, 1.33, 1.28, 1.36, 1.32, 1.34, 1.27],
  y: [1.45, 1.52, 1.48, 1.5, 1.44, 1.47, 1.49, 1.51, 1.46, 1.53],
};
const UNEVEN = { x: [5.5, 6.1, 4.9, 7.2, 5.0, 6.6, 5.8, 6.0], y: [6.3, 7.9, 7.0, 8.1, 6.8, 7.5, 7.7, 6.9, 8.4, 7.1, 6.4, 7.3] };
const OVERLAP = {
  x: [3.1, 2.9, 3.3, 3.0, 3.2, 2.8, 3.4, 3.05, 2.95, 3.15],
  y: [3.12, 3.22, 2.92, 3.35, 3.01, 3.18, 2.88, 3.27, 3.08, 3.3],
};
const TIES = { x: [1, 2, 2, 3, 3, 3, 4], y: [2, 3, 4, 4, 5, 5] };

/** Brute force: every way of choosing which m of the pooled values are x's. */
function bruteForceP(x: number[], y: number[]): number {
  const all = [...x, ...y];
  const m = x.length;
  const n = y.length;
  const uOf = (xs: number[], ys: number[]) => xs.reduce((s, a) => s + ys.reduce((t, b) => t + (a > b ? 1 : a === b ? 0.5 : 0), 0), 0);
  const u0 = uOf(x, y);
  const big = Math.max(u0, m * n - u0);
  let hits = 0;
  let total = 0;
  const pick = (start: number, chosen: number[]) => {
    if (chosen.length === m) {
      const xs = chosen.map((i) => all[i]);
      const ys = all.filter((_, i) => !chosen.includes(i));
      const u = uOf(xs, ys);
      total++;
      if (Math.max(u, m * n - u) >= big) hits++;
      return;
    }
    for (let i = start; i < all.length; i++) pick(i + 1, [...chosen, i]);
  };
  pick(0, []);
  return hits / total;
}

describe('mannWhitneyU', () => {
  it('matches scipy, exact method', () => {
    expect(mannWhitneyU(DOCS.x, DOCS.y, 'exact')).toMatchObject({ u: 17, method: 'exact' });
    expect(mannWhitneyU(DOCS.x, DOCS.y, 'exact').p).toBeCloseTo(0.1111111111111111, 12);
    expect(mannWhitneyU(TEN.x, TEN.y, 'exact').u).toBe(0);
    expect(mannWhitneyU(TEN.x, TEN.y, 'exact').p).toBeCloseTo(1.082508822446903e-5, 15);
    expect(mannWhitneyU(UNEVEN.x, UNEVEN.y, 'exact').u).toBe(8);
    expect(mannWhitneyU(UNEVEN.x, UNEVEN.y, 'exact').p).toBeCloseTo(0.0010637453361911566, 14);
  });

  it('matches scipy, asymptotic method (tie and continuity corrections)', () => {
    const cases: [number[], number[], number, number][] = [
      [DOCS.x, DOCS.y, 17, 0.11134688653314041],
      [TEN.x, TEN.y, 0, 0.00018267179110955002],
      [OVERLAP.x, OVERLAP.y, 41.5, 0.5451985101800713],
      [TIES.x, TIES.y, 8.5, 0.07826242947714618],
      [UNEVEN.x, UNEVEN.y, 8, 0.0023076031205140307],
    ];
    for (const [x, y, u, p] of cases) {
      const r = mannWhitneyU(x, y, 'asymptotic');
      expect(r.u).toBe(u);
      expect(r.p).toBeCloseTo(p, 12);
    }
  });

  it('exact p-values agree with enumerating every arrangement', () => {
    const x = [3.2, 1.1, 4.8, 2.7, 5.5];
    const y = [2.1, 6.3, 3.9, 7.4, 5.1, 4.4];
    expect(mannWhitneyU(x, y, 'exact').p).toBeCloseTo(bruteForceP(x, y), 12);
    expect(mannWhitneyU(DOCS.x, DOCS.y, 'exact').p).toBeCloseTo(bruteForceP(DOCS.x, DOCS.y), 12);
  });

  it('is symmetric: swapping the samples keeps p and mirrors U', () => {
    const a = mannWhitneyU(UNEVEN.x, UNEVEN.y);
    const b = mannWhitneyU(UNEVEN.y, UNEVEN.x);
    expect(b.p).toBeCloseTo(a.p, 14);
    expect(a.u + b.u).toBe(UNEVEN.x.length * UNEVEN.y.length);
  });

  it("'auto' is exact without ties and asymptotic with them", () => {
    expect(mannWhitneyU(TEN.x, TEN.y).method).toBe('exact');
    expect(mannWhitneyU(TIES.x, TIES.y).method).toBe('asymptotic');
    const many = Array.from({ length: 60 }, (_, i) => i + 0.5);
    expect(mannWhitneyU(many, many.map((v) => v + 100)).method).toBe('asymptotic'); // 3600 pairs
  });

  it('says p = 1 when every value is the same, and refuses empty or non-finite samples', () => {
    expect(mannWhitneyU([2, 2, 2], [2, 2]).p).toBe(1);
    expect(() => mannWhitneyU([], [1])).toThrow(/non-empty/);
    expect(() => mannWhitneyU([1, Number.NaN], [1])).toThrow(/finite/);
    expect(() => mannWhitneyU(TIES.x, TIES.y, 'exact')).toThrow(/ties/);
  });
});

describe('pieces', () => {
  it('mid-ranks ties and sums t³ − t', () => {
    expect(midRanks([10, 20, 20, 30])).toEqual({ ranks: [1, 2.5, 2.5, 4], tieTerm: 6 });
  });

  it('the exact distribution sums to 1 and is symmetric', () => {
    const d = exactUDistribution(4, 6);
    expect(d.length).toBe(25);
    expect(d.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 14);
    for (let u = 0; u <= 24; u++) expect(d[u]).toBeCloseTo(d[24 - u], 15);
    expect(d[0]).toBeCloseTo(1 / 210, 15); // C(10, 4) = 210 arrangements, one with U = 0
  });

  it('normal upper tail matches scipy.stats.norm.sf', () => {
    const want: [number, number][] = [
      [0, 0.5],
      [0.5, 0.3085375387259869],
      [1.96, 0.024997895148220435],
      [3.2, 0.0006871379379158471],
      [5, 2.866515718791933e-7],
      [-1.3, 0.9031995154143897],
    ];
    for (const [z, p] of want) expect(normalSf(z) / p).toBeCloseTo(1, 12);
  });
});
