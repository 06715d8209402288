// Property test (fast-check): matmul against the float64 reference over random (batched, transposed)
// shapes, A mixing ordinary, huge (±1e30), subnormal and zero values (B ordinary, so no product
// overflows f32). NaN policy: a NaN in A row i / B column j makes C[i, j] NaN — every output the
// NaN took part in shows it (IEEE: NaN·0 = NaN).
import { extremeValues, mismatch, testGpu, VALUE_KIND_NAMES } from '@pretext/gpu/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matmul } from './matmul.js';
import { matmulRef } from './matmul.ref.js';

const EPS = 2 ** -23;

describe('matmul: properties over random shapes and extreme values', () => {
  it('C = op(A)·op(B) matches the reference within K·ε·Σ|a||b|; NaN inputs → NaN in every output they reach', async () => {
    const gpu = await testGpu();
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          batch: fc.integer({ min: 1, max: 3 }),
          M: fc.integer({ min: 1, max: 70 }),
          N: fc.integer({ min: 1, max: 70 }),
          K: fc.integer({ min: 1, max: 90 }),
          transA: fc.boolean(),
          transB: fc.boolean(),
          kinds: fc.subarray(VALUE_KIND_NAMES, { minLength: 1 }),
          nans: fc.constantFrom(0, 0, 1, 2),
          seed: fc.integer({ min: 0, max: 2 ** 30 }),
        }),
        async ({ batch, M, N, K, transA, transB, kinds, nans, seed }) => {
          const aShape = [batch, ...(transA ? [K, M] : [M, K])];
          const bShape = [batch, ...(transB ? [N, K] : [K, N])];
          const a = extremeValues(batch * M * K, kinds, nans, seed);
          const b = extremeValues(batch * K * N, ['ordinary', 'zero'], nans, seed + 1);
          const c = matmul(gpu, gpu.upload(a, aShape), gpu.upload(b, bShape), { transA, transB });
          const got = await gpu.download(c);
          const want = matmulRef(a, aShape, b, bShape, { transA, transB });
          // the error bound of a K-term dot product in f32: K·ε·Σ_k |a_ik||b_kj|
          const absProd = matmulRef(a.map(Math.abs), aShape, b.map(Math.abs), bShape, { transA, transB });
          const bad = mismatch(got, want, (i) => 2 * K * EPS * absProd[i]);
          expect(bad, `matmul A [${aShape}]${transA ? 'ᵀ' : ''} B [${bShape}]${transB ? 'ᵀ' : ''} kinds ${kinds} nans ${nans} seed ${seed}: ${bad}`).toBeUndefined();
        },
      ),
      { numRuns: 80 },
    );
  });
});
