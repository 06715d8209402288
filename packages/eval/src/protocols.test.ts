import { useWebGpu } from '@pretext/core';
import { destroyGpu } from '@pretext/gpu';
import { freshSeed, randn } from '@pretext/gpu/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alignmentUniformity } from './align-uniform.js';
import { type Features, rowBlocks, uploadLimits } from './features.js';
import { knn, knnPredict, topK } from './knn.js';
import { linearProbe } from './linear-probe.js';
import { clusters, randomLabels } from './synthetic.test-util.js';

beforeAll(async () => {
  await useWebGpu();
});
afterAll(destroyGpu);

/** Brute-force weighted kNN in float64: full sort of cosine similarities. */
function knnReference(tr: Features, trLabels: Int32Array, te: Features, k: number, tau: number, classes: number): Int32Array {
  const norm = (f: Features, i: number) => Math.sqrt(Array.from(f.values.subarray(i * f.dim, (i + 1) * f.dim)).reduce((s, v) => s + v * v, 0));
  return Int32Array.from({ length: te.n }, (_, q) => {
    const sims = Array.from({ length: tr.n }, (_, j) => {
      let d = 0;
      for (let c = 0; c < tr.dim; c++) d += te.values[q * te.dim + c] * tr.values[j * tr.dim + c];
      return { j, s: d / (norm(te, q) * norm(tr, j)) };
    }).sort((a, b) => b.s - a.s);
    const votes = new Float64Array(classes);
    for (const { j, s } of sims.slice(0, k)) votes[trLabels[j]] += Math.exp(s / tau);
    return votes.indexOf(Math.max(...votes));
  });
}

describe('linear probe', () => {
  it('separates Gaussian clusters and is at chance on random labels', async () => {
    const seed = freshSeed();
    const train = clusters(600, 5, 16, seed);
    const test = clusters(300, 5, 16, seed + 10, 4, train.centres);
    // the default 30 epochs (90 steps here): at 10 (30 steps) the probe had not converged on 5 of 60 seeds (top-1
    // 0.88–0.94 on clusters a nearest-centre rule separates); at 30 every one of the 60 reached 1.0
    const r = await linearProbe(train.f, train.labels, test.f, test.labels, { seed });
    expect(r.top1, `seed ${seed}`).toBeGreaterThan(0.95);
    expect(r.trainTop1).toBeGreaterThan(0.95);
    expect(r.trainLoss).toBeLessThan(Math.log(5) / 2); // chance-level cross-entropy is ln 5
    const rnd = await linearProbe(train.f, randomLabels(600, 5, seed), test.f, randomLabels(300, 5, seed + 1), { epochs: 10, seed });
    expect(rnd.top1, `seed ${seed}`).toBeLessThan(0.35); // chance 0.2
    expect(rnd.top1).toBeGreaterThan(0.08);
  });

  it('rejects bad input with the problem named', async () => {
    const f: Features = { values: new Float32Array(8), n: 4, dim: 2 };
    const y = new Int32Array(4);
    await expect(linearProbe(f, new Int32Array(3), f, y)).rejects.toThrow(/train labels has 3 entries for 4/);
    await expect(linearProbe({ values: new Float32Array(0), n: 0, dim: 2 }, new Int32Array(0), f, y)).rejects.toThrow(/empty/);
    await expect(linearProbe(f, y, { values: new Float32Array(12), n: 4, dim: 3 }, y)).rejects.toThrow(/dim 2, test features 3/);
    await expect(linearProbe(f, y, f, y, { optimizer: 'lbfgs' as 'sgd' })).rejects.toThrow(/'adamw' or 'sgd'/);
    await expect(linearProbe({ values: new Float32Array(7), n: 4, dim: 2 }, y, f, y)).rejects.toThrow(/7 values, expected/);
  });
});

describe('kNN', () => {
  it('matches a brute-force float64 reference on tiny data (chunked)', async () => {
    const seed = freshSeed();
    const tr: Features = { values: randn(70 * 6, seed), n: 70, dim: 6 };
    const te: Features = { values: randn(23 * 6, seed + 1), n: 23, dim: 6 };
    const labels = randomLabels(70, 3, seed + 2);
    for (const [k, tau] of [[1, 0.1], [7, 0.1], [70, 0.5]] as const) {
      const got = await knnPredict(tr, labels, te, { k, tau, chunk: 5 });
      expect(Array.from(got), `k=${k} seed ${seed}`).toEqual(Array.from(knnReference(tr, labels, te, k, tau, 3)));
    }
  });

  it('topK returns the k largest, largest first', () => {
    const row = Float32Array.from([0.1, 0.9, -0.3, 0.9, 0.5, 0.2]);
    expect(Array.from(topK(row, 3))).toEqual([1, 3, 4]);
    expect(Array.from(topK(row, 6))).toEqual([1, 3, 4, 5, 0, 2]);
  });

  it('classifies clusters and is at chance on random labels', async () => {
    const seed = freshSeed();
    const train = clusters(500, 5, 16, seed);
    const test = clusters(200, 5, 16, seed + 10, 4, train.centres);
    expect((await knn(train.f, train.labels, test.f, test.labels, { k: 50 })).top1, `seed ${seed}`).toBeGreaterThan(0.95);
    const rnd = await knn(train.f, randomLabels(500, 5, seed), test.f, randomLabels(200, 5, seed + 1), { k: 50 });
    expect(rnd.top1, `seed ${seed}`).toBeLessThan(0.38);
  });

  it('rejects k > N, mismatched counts, bad tau', async () => {
    const f: Features = { values: new Float32Array(8).fill(1), n: 4, dim: 2 };
    const y = new Int32Array(4);
    await expect(knn(f, y, f, y, { k: 5 })).rejects.toThrow(/k = 5 is larger than the number of training rows \(4\)/);
    await expect(knn(f, y, f, new Int32Array(2))).rejects.toThrow(/test labels has 2 entries for 4/);
    await expect(knn(f, y, f, y, { k: 2, tau: 0 })).rejects.toThrow(/tau/);
  });
});

describe('features larger than one upload', () => {
  it('linear probe, kNN and alignment give the same answers from row blocks', async () => {
    const seed = freshSeed();
    const train = clusters(300, 4, 24, seed);
    const test = clusters(120, 4, 24, seed + 10, 4, train.centres);
    const shifted = { ...test.f, values: test.f.values.map((v, i) => v + 0.1 * Math.sin(i)) };
    const run = async () => ({
      probe: await linearProbe(train.f, train.labels, test.f, test.labels, { epochs: 3, seed }),
      knn: await knn(train.f, train.labels, test.f, test.labels, { k: 7 }),
      au: await alignmentUniformity(test.f, shifted),
    });
    const whole = await run();
    const saved = uploadLimits.maxBytes;
    uploadLimits.maxBytes = 24 * 4 * 50; // 50 rows per block: 6 blocks of the train split
    try {
      expect(rowBlocks(train.f)).toHaveLength(6);
      const blocks = await run();
      // batches gather their rows block by block: the same rows in another order, so sums round
      // differently; at most one of the 120 test points may land on the other side of a boundary
      expect(Math.abs(blocks.probe.top1 - whole.probe.top1), `seed ${seed}`).toBeLessThanOrEqual(1 / 120 + 1e-9);
      expect(blocks.probe.trainLoss, `seed ${seed}`).toBeCloseTo(whole.probe.trainLoss, 4);
      expect(blocks.knn.top1, `seed ${seed}`).toBe(whole.knn.top1);
      expect(blocks.au.alignment, `seed ${seed}`).toBeCloseTo(whole.au.alignment, 5);
      expect(blocks.au.uniformity, `seed ${seed}`).toBeCloseTo(whole.au.uniformity, 5);
    } finally {
      uploadLimits.maxBytes = saved;
    }
  });
});
