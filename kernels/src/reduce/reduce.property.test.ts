// Property test (fast-check): reduce against its float64 reference over random shapes and axes,
// with inputs mixing ordinary, huge (±1e30), subnormal and zero values. NaN policy: a NaN anywhere
// in a reduced slice makes that output NaN (sum, mean, max, min alike) — reported, never dropped.
import { extremeValues, mismatch, testGpu, VALUE_KIND_NAMES } from '@pretext/gpu/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reduce } from './reduce.js';
import { reduceRef } from './reduce.ref.js';

const EPS = 2 ** -23;

describe('reduce: properties over random shapes and extreme values', () => {
  it('sum, mean, max, min match the reference; NaN in a slice → NaN out', async () => {
    const gpu = await testGpu();
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          shape: fc.array(fc.integer({ min: 1, max: 37 }), { minLength: 1, maxLength: 3 }),
          axis: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
          op: fc.constantFrom('sum', 'mean', 'max', 'min' as const),
          kinds: fc.subarray(VALUE_KIND_NAMES, { minLength: 1 }),
          nans: fc.constantFrom(0, 0, 1, 2),
          seed: fc.integer({ min: 0, max: 2 ** 30 }),
        }),
        async ({ shape, axis: a, op, kinds, nans, seed }) => {
          const axis = a === undefined ? undefined : a % shape.length;
          const x = extremeValues(shape.reduce((p, q) => p * q, 1), kinds, nans, seed);
          const y = reduce(gpu, op, gpu.upload(x, shape), { axis });
          const got = await gpu.download(y);
          // the policy, on top of the reference: NaN in a slice → NaN
          const want = reduceRef(op, x, shape, axis);
          const hasNaN = reduceRef('sum', x.map((v) => (Number.isNaN(v) ? 1 : 0)), shape, axis);
          const absSum = reduceRef('sum', x.map(Math.abs), shape, axis);
          const R = x.length / want.length;
          want.forEach((_, i) => {
            if (hasNaN[i] > 0) want[i] = Number.NaN;
          });
          // sum/mean: f32 accumulation over R terms errs by ≤ R·ε·Σ|x| (÷R for the mean); max/min exact
          const bound = (i: number) => (op === 'sum' ? R * EPS * absSum[i] : op === 'mean' ? EPS * absSum[i] : 0);
          const bad = mismatch(got, want, bound);
          expect(bad, `reduce.${op} shape [${shape}] axis ${axis} kinds ${kinds} nans ${nans} seed ${seed}: ${bad}`).toBeUndefined();
        },
      ),
      { numRuns: 120 },
    );
  });
});
