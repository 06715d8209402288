// Property test (fast-check): softmax and log-softmax against the float64 reference over random
// row lengths and batch shapes (lengths that are multiples of 4 take the subgroup path where there
// is one), inputs mixing ordinary, huge (±1e30), subnormal and zero logits. NaN policy: a NaN logit
// makes its whole row NaN (the reference's float64 arithmetic does the same), never zeros.
import { extremeValues, mismatch, testGpu, VALUE_KIND_NAMES } from '@pretext/gpu/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { logSoftmax, softmax } from './softmax.js';
import { softmaxRef } from './softmax.ref.js';

describe('softmax: properties over random shapes and extreme values', () => {
  it('softmax and log-softmax match the reference on ordinary, ±1e30, subnormal and zero logits; a NaN makes its row NaN', async () => {
    const gpu = await testGpu();
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          rows: fc.integer({ min: 1, max: 9 }),
          len: fc.integer({ min: 1, max: 700 }),
          log: fc.boolean(),
          kinds: fc.subarray(VALUE_KIND_NAMES, { minLength: 1 }),
          nans: fc.constantFrom(0, 0, 1, 3),
          seed: fc.integer({ min: 0, max: 2 ** 30 }),
        }),
        async ({ rows, len, log, kinds, nans, seed }) => {
          const shape = [rows, len];
          const x = extremeValues(rows * len, kinds, nans, seed);
          const y = (log ? logSoftmax : softmax)(gpu, gpu.upload(x, shape));
          const got = await gpu.download(y);
          const want = softmaxRef(x, shape, {}, log);
          // f32 rounding of x − max and of the exp/log: relative to the value for softmax, to |x − max| for log-softmax
          const bound = (i: number) => (log ? 4e-7 * (Math.abs(want[i]) + 1) * 8 : 1e-6 * (want[i] + 1e-6));
          const bad = mismatch(got, want, bound);
          expect(bad, `${log ? 'logSoftmax' : 'softmax'} [${shape}] kinds ${kinds} nans ${nans} seed ${seed}: ${bad}`).toBeUndefined();
        },
      ),
      { numRuns: 120 },
    );
  });
});
