import { useWebGpu } from '@pretext/core';
import { destroyGpu } from '@pretext/gpu';
import { freshSeed } from '@pretext/gpu/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fewLabel } from './few-label.js';
import { linearProbe } from './linear-probe.js';
import { FOLDS_BELOW_ROWS, PROBE_WEIGHT_DECAYS, selectedLinearProbe, selectionSplits, weightDecayCandidates } from './probe-selection.js';
import { clusters } from './synthetic.test-util.js';

beforeAll(async () => {
  await useWebGpu();
});
afterAll(destroyGpu);

describe('probe weight-decay selection', () => {
  it('splits: 3 folds (2 for 2 rows) that hold every row out once below FOLDS_BELOW_ROWS, one 20% hold-out above; seeded', () => {
    for (const n of [2, 3, 7, 97, FOLDS_BELOW_ROWS - 1]) {
      const s = selectionSplits(n, 5);
      expect(s.length).toBe(Math.min(3, n));
      for (const [fit, h] of s) expect(fit.length > 0 && h.length > 0, `n = ${n}`).toBe(true);
      const held = s.flatMap(([, h]) => Array.from(h)).sort((a, b) => a - b);
      expect(held).toEqual(Array.from({ length: n }, (_, i) => i)); // a partition of the rows
      for (const [fit, h] of s) {
        expect(fit.length + h.length).toBe(n);
        expect(Array.from(fit).some((i) => h.includes(i))).toBe(false);
      }
    }
    const one = selectionSplits(1001, 5);
    expect(one.length).toBe(1);
    expect(one[0][1].length).toBe(200);
    expect(new Set([...one[0][0], ...one[0][1]]).size).toBe(1001);
    expect(Array.from(selectionSplits(1001, 5)[0][1])).toEqual(Array.from(one[0][1]));
    expect(Array.from(selectionSplits(1001, 6)[0][1])).not.toEqual(Array.from(one[0][1]));
    expect(() => selectionSplits(1, 0)).toThrow(/at least 2 labelled rows/);
  });

  it('candidates: those given, else all when selecting and no weight decay is fixed, else one run', () => {
    expect(weightDecayCandidates({})).toBe(PROBE_WEIGHT_DECAYS);
    expect(weightDecayCandidates({}, false)).toBeUndefined();
    expect(weightDecayCandidates({ weightDecay: 0.5 })).toBeUndefined();
    expect(weightDecayCandidates({ weightDecays: [2, 4] }, false)).toEqual([2, 4]);
  });

  it('retrains the best held-out candidate on every row, and never looks at the test split', async () => {
    const seed = freshSeed();
    // few rows in many dimensions with close centres: how hard the head is shrunk matters
    const train = clusters(90, 3, 64, seed, 0.6);
    const test = clusters(200, 3, 64, seed + 1, 0.6, train.centres);
    const opts = { epochs: 8, seed, weightDecays: [1e-4, 3, 30] };
    const r = await selectedLinearProbe(train.f, train.labels, test.f, test.labels, opts);
    expect(r.selection?.map((s) => s.weightDecay), `seed ${seed}`).toEqual([1e-4, 3, 30]);
    const best = Math.max(...(r.selection ?? []).map((s) => s.top1));
    expect(r.selection?.find((s) => s.weightDecay === r.weightDecay)?.top1).toBe(best);
    expect(r.selection?.findIndex((s) => s.top1 === best)).toBe(r.selection?.findIndex((s) => s.weightDecay === r.weightDecay)); // ties: the earlier
    const plain = await linearProbe(train.f, train.labels, test.f, test.labels, { epochs: 8, seed, weightDecay: r.weightDecay });
    expect(r.top1).toBe(plain.top1);
    expect(r.trainLoss).toBeCloseTo(plain.trainLoss, 6);
    // shuffled test labels and features change the test score, not the selection
    const flipped = Int32Array.from(test.labels, (y) => (y + 1) % 3);
    const r2 = await selectedLinearProbe(train.f, train.labels, { ...test.f, values: test.f.values.map((v) => -v) }, flipped, opts);
    expect(r2.selection).toEqual(r.selection);
    expect(r2.weightDecay).toBe(r.weightDecay);
  });

  it('one candidate trains once with no hold-out; bad candidates are named', async () => {
    const seed = freshSeed();
    const train = clusters(60, 3, 8, seed);
    const test = clusters(30, 3, 8, seed + 1, 4, train.centres);
    const r = await selectedLinearProbe(train.f, train.labels, test.f, test.labels, { epochs: 3, seed, weightDecay: 0.5 });
    expect(r.selection).toBeUndefined();
    expect(r.weightDecay).toBe(0.5);
    expect(r.nTrain).toBe(60);
    await expect(selectedLinearProbe(train.f, train.labels, test.f, test.labels, { weightDecays: [] })).rejects.toThrow(/weightDecays is empty/);
    await expect(selectedLinearProbe(train.f, train.labels, test.f, test.labels, { weightDecays: [1, -1] })).rejects.toThrow(/finite number ≥ 0, got -1/);
    await expect(selectedLinearProbe(train.f, train.labels, test.f, test.labels, { weightDecays: [Number.NaN] })).rejects.toThrow(/got NaN/);
  });

  it('few-label probes select by default (PROBE_WEIGHT_DECAYS); an explicit weightDecay turns it off', async () => {
    const seed = freshSeed();
    const train = clusters(300, 3, 8, seed);
    const test = clusters(60, 3, 8, seed + 1, 4, train.centres);
    const [r] = await fewLabel(train.f, train.labels, test.f, test.labels, { epochs: 2, seed, fractions: [0.2] });
    expect(r.selection?.map((s) => s.weightDecay)).toEqual([...PROBE_WEIGHT_DECAYS]);
    const [fixed] = await fewLabel(train.f, train.labels, test.f, test.labels, { epochs: 2, seed, fractions: [0.2], weightDecay: 1e-3 });
    expect(fixed.selection).toBeUndefined();
    expect(fixed.weightDecay).toBe(1e-3);
  });
});
