import { useWebGpu } from '@pretext/core';
import { destroyGpu } from '@pretext/gpu';
import { freshSeed, randn } from '@pretext/gpu/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alignmentUniformity, uniformity } from './align-uniform.js';
import type { Features } from './features.js';
import { fewLabelSubset } from './few-label.js';
import { symmetricEigenvalues } from './symmetric-eigen.js';
import { rankMe } from './rankme.js';
import { retrievalRecallAt1 } from './retrieval.js';
import { randomLabels } from './synthetic.test-util.js';

beforeAll(async () => {
  await useWebGpu();
});
afterAll(destroyGpu);

describe('RankMe', () => {
  it('of a rank-r matrix with equal singular values is r', async () => {
    const seed = freshSeed();
    // Z = A·B with A (N, r), B (r, D) orthonormal-ish rows from Gram–Schmidt of random vectors → rank r
    const n = 200;
    const d = 32;
    const r = 5;
    const a = randn(n * r, seed);
    const basis: Float64Array[] = [];
    for (let k = 0; k < r; k++) {
      const v = Float64Array.from(randn(d, seed + 1 + k));
      for (const u of basis) {
        const dot = v.reduce((s, x, i) => s + x * u[i], 0);
        for (let i = 0; i < d; i++) v[i] -= dot * u[i];
      }
      const nv = Math.hypot(...v);
      basis.push(v.map((x) => x / nv));
    }
    const z = new Float32Array(n * d);
    for (let i = 0; i < n; i++) for (let k = 0; k < r; k++) for (let j = 0; j < d; j++) z[i * d + j] += a[i * r + k] * basis[k][j];
    const res = await rankMe({ values: z, n, dim: d });
    expect(res.rankMe, `seed ${seed}`).toBeGreaterThan(r - 0.6); // random A: singular values near-equal, not exactly
    expect(res.rankMe).toBeLessThan(r + 0.05);
    expect(res.singularValues[r] / res.singularValues[0]).toBeLessThan(1e-3);
  });

  it('of isotropic features is close to D, of collapsed features 1', async () => {
    const seed = freshSeed();
    const n = 2000;
    const d = 16;
    const iso = await rankMe({ values: randn(n * d, seed), n, dim: d });
    expect(iso.rankMe, `seed ${seed}`).toBeGreaterThan(0.97 * d);
    expect(iso.rankMe).toBeLessThanOrEqual(d + 1e-3);
    const row = randn(d, seed + 1);
    const collapsed = new Float32Array(50 * d);
    for (let i = 0; i < 50; i++) collapsed.set(row, i * d);
    expect((await rankMe({ values: collapsed, n: 50, dim: d })).rankMe).toBeLessThan(1.01);
  });

  it('uses the smaller Gram matrix when N < D', async () => {
    const seed = freshSeed();
    const res = await rankMe({ values: randn(6 * 40, seed), n: 6, dim: 40 });
    expect(res.singularValues.length).toBe(6);
    expect(res.rankMe).toBeGreaterThan(4);
  });

  it('symmetric eigenvalues: a known matrix, and H·diag(λ)·H for a random reflection H', () => {
    // [[2,1,0],[1,2,0],[0,0,5]] has eigenvalues 5, 3, 1
    const ev = symmetricEigenvalues([2, 1, 0, 1, 2, 0, 0, 0, 5], 3);
    expect(Array.from(ev).map((v) => +v.toFixed(10))).toEqual([5, 3, 1]);
    expect(() => symmetricEigenvalues([1, 2, 3], 2)).toThrow(/4/);
    const seed = freshSeed();
    const n = 60;
    const lambda = Array.from(randn(n, seed), (v, i) => (i < 10 ? 0 : v * 3)); // with a 10-fold zero eigenvalue
    const v = randn(n, seed + 1);
    const vv = v.reduce((s, x) => s + x * x, 0);
    const h = (i: number, j: number) => (i === j ? 1 : 0) - (2 * v[i] * v[j]) / vv; // H = I − 2vvᵀ/‖v‖², orthogonal
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) a[i * n + j] += h(i, k) * lambda[k] * h(k, j);
    const got = symmetricEigenvalues(a, n);
    const want = [...lambda].sort((x, y) => y - x);
    expect(Math.max(...Array.from(got, (g, i) => Math.abs(g - want[i]))), `seed ${seed}`).toBeLessThan(1e-9);
  });
});

describe('alignment and uniformity', () => {
  it('alignment is 0 for identical pairs and 4 for antipodal ones; uniformity of collapsed features is 0', async () => {
    const seed = freshSeed();
    const f: Features = { values: randn(64 * 8, seed), n: 64, dim: 8 };
    const same = await alignmentUniformity(f, f);
    expect(same.alignment).toBeLessThan(1e-6);
    expect(same.uniformity, `seed ${seed}`).toBeLessThan(-0.5); // spread features: well below 0
    const neg: Features = { ...f, values: f.values.map((v) => -v) };
    expect((await alignmentUniformity(f, neg)).alignment).toBeCloseTo(4, 4); // ‖x̂ − (−x̂)‖² = 4
    const row = randn(8, seed + 1);
    const collapsed = new Float32Array(64 * 8);
    for (let i = 0; i < 64; i++) collapsed.set(row.map((v) => v * (1 + i)), i * 8); // same direction, any norm
    const c = await alignmentUniformity({ values: collapsed, n: 64, dim: 8 }, { values: collapsed, n: 64, dim: 8 });
    expect(Math.abs(c.uniformity)).toBeLessThan(1e-5);
  });

  it('uniformity matches a float64 pairwise reference (chunked)', async () => {
    const seed = freshSeed();
    const n = 37;
    const d = 5;
    const x = randn(n * d, seed);
    const u = Array.from({ length: n }, (_, i) => {
      const r = Array.from(x.subarray(i * d, (i + 1) * d));
      const nr = Math.hypot(...r);
      return r.map((v) => v / nr);
    });
    let s = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) s += Math.exp(-2 * u[i].reduce((a, v, k) => a + (v - u[j][k]) ** 2, 0));
    expect(await uniformity({ values: x, n, dim: d }, { chunk: 8 }), `seed ${seed}`).toBeCloseTo(Math.log(s / (n * (n - 1))), 4);
  });

  it('rejects views of different shapes', async () => {
    const a: Features = { values: new Float32Array(6), n: 3, dim: 2 };
    await expect(alignmentUniformity(a, { values: new Float32Array(4), n: 2, dim: 2 })).rejects.toThrow(/same shape, got 3×2 and 2×2/);
  });
});

describe('few-label subsets', () => {
  it('are class-balanced and deterministic from the seed', () => {
    const labels = randomLabels(5000, 10, 7);
    const a = fewLabelSubset(labels, 0.01, 3);
    const counts = new Array(10).fill(0);
    for (const i of a) counts[labels[i]]++;
    expect(counts).toEqual(new Array(10).fill(5));
    expect(Array.from(fewLabelSubset(labels, 0.01, 3))).toEqual(Array.from(a));
    expect(Array.from(fewLabelSubset(labels, 0.01, 4))).not.toEqual(Array.from(a));
    const b = fewLabelSubset(labels, 0.1, 3);
    expect(b.length).toBe(500);
    expect(new Set(b).size).toBe(500);
    expect(() => fewLabelSubset(labels, 0, 1)).toThrow(/fraction must be in \(0, 1\]/);
    expect(() => fewLabelSubset(new Int32Array(0), 0.1, 1)).toThrow(/empty/);
  });
});

describe('retrieval recall@1', () => {
  it('is 1 for identical vendor features, ≈ 1/N for unrelated ones', async () => {
    const seed = freshSeed();
    const g: Features = { values: randn(300 * 12, seed), n: 300, dim: 12 };
    expect((await retrievalRecallAt1(g, g, { chunk: 64 })).recallAt1).toBe(1);
    const t: Features = { values: randn(300 * 12, seed + 1), n: 300, dim: 12 };
    expect((await retrievalRecallAt1(g, t)).recallAt1, `seed ${seed}`).toBeLessThan(0.05);
    await expect(retrievalRecallAt1(g, { values: new Float32Array(12), n: 1, dim: 12 })).rejects.toThrow(/300 queries but 1 gallery/);
  });
});
