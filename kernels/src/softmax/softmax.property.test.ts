// Property test (fast-check): softmax and log-softmax against the float64 reference over random
// row lengths and batch shapes, inputs mixing ordinary, huge (±1e30), subnormal and zero logits.
// (The NaN policy — a NaN logit makes its row NaN — is not yet the kernels': a NaN row comes out as
// zeros, like a fully masked one. It waits for the shared softmax row code of house-kernels.)
import { extremeValues, mismatch, testGpu, VALUE_KIND_NAMES } from '@pretext/gpu/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { logSoftmax, softmax } from './softmax.js';
import { softmaxRef } from './softmax.ref.js';

describe('softmax: properties over random shapes and extreme values', () => {
  it('softmax and log-softmax match the reference on ordinary, ±1e30, subnormal and zero logits', async () => {
    const gpu = await testGpu();
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          rows: fc.integer({ min: 1, max: 9 }),
          len: fc.integer({ min: 1, max: 700 }),
          log: fc.boolean(),
          kinds: fc.subarray(VALUE_KIND_NAMES, { minLength: 1 }),
          seed: fc.integer({ min: 0, max: 2 ** 30 }),
        }),
        async ({ rows, len, log, kinds, seed }) => {
          const shape = [rows, len];
          const x = extremeValues(rows * len, kinds, 0, seed);
          const y = (log ? logSoftmax : softmax)(gpu, gpu.upload(x, shape));
          const got = await gpu.download(y);
          const want = softmaxRef(x, shape, {}, log);
          // f32 rounding of x − max and of the exp/log: relative to the value for softmax, to |x − max| for log-softmax
          const bound = (i: number) => (log ? 4e-7 * (Math.abs(want[i]) + 1) * 8 : 1e-6 * (want[i] + 1e-6));
          const bad = mismatch(got, want, bound);
          expect(bad, `${log ? 'logSoftmax' : 'softmax'} [${shape}] kinds ${kinds} seed ${seed}: ${bad}`).toBeUndefined();
        },
      ),
      { numRuns: 120 },
    );
  });
});
