// Property test (fast-check): NT-Xent (the SimCLR InfoNCE kernel) against the float64 reference
// over random N and d, embeddings mixing ordinary, huge (±1e30), subnormal and zero values.
// NaN policy: a NaN in any embedding makes the loss NaN (every row's log-sum-exp sees it), which
// stops the trainer at that step; the gradient is then not used. A row whose ‖z‖² overflows f32
// (‖z‖ > 1.8e19) is reported the same way — the loss is NaN, never a wrong number — though the
// float64 reference still normalises it (a scaled norm in the kernel would: left for later).
import { extremeValues, mismatch, testGpu, VALUE_KIND_NAMES } from '@pretext/gpu/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ntXent } from './infonce.js';
import { ntXentRef } from './infonce.ref.js';

describe('infonce (NT-Xent): properties over random shapes and extreme values', () => {
  it('loss and dZ match the reference on rows of any scale; a NaN anywhere → NaN loss', async () => {
    const gpu = await testGpu();
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          N: fc.integer({ min: 1, max: 40 }),
          d: fc.integer({ min: 1, max: 70 }),
          kinds: fc.subarray(VALUE_KIND_NAMES, { minLength: 1 }),
          nans: fc.constantFrom(0, 0, 1),
          seed: fc.integer({ min: 0, max: 2 ** 30 }),
        }),
        async ({ N, d, kinds, nans, seed }) => {
          const m = 2 * N;
          const z = extremeValues(m * d, kinds, nans, seed);
          const out = ntXent(gpu, gpu.upload(z, [m, d]), { tau: 0.5 });
          const loss = await gpu.download(out.loss);
          const ref = ntXentRef(z, m, d, 0.5);
          const what = `ntXent N ${N} d ${d} kinds ${kinds} nans ${nans} seed ${seed}`;
          const norm = Array.from({ length: m }, (_, i) => Math.hypot(...z.subarray(i * d, (i + 1) * d)));
          const overflow = norm.some((v) => v * v > 3.4e38);
          if (overflow && !nans) {
            expect(loss[0], `${what}: a row too large for f32 norms must give a NaN loss or the right one`).toSatisfy((v: number) => Number.isNaN(v) || Math.abs(v - ref.loss) <= 1e-4 * (Math.abs(ref.loss) + 1));
            return;
          }
          const wantLoss = nans ? Number.NaN : ref.loss;
          const bad = mismatch(loss, [wantLoss], () => 1e-4 * (Math.abs(ref.loss) + 1));
          expect(bad, `${what} loss: ${bad}`).toBeUndefined();
          if (!nans) {
            const dz = await gpu.download(out.dZ);
            // dZ = (dẑ − ẑ(ẑ·dẑ))/‖z‖: its scale is 1/‖z‖ per row
            const badDz = mismatch(dz, ref.dZ, (i) => 1e-4 / Math.max(norm[Math.floor(i / d)], 1e-12) + 1e-5 * Math.abs(ref.dZ[i]));
            expect(badDz, `${what} dZ: ${badDz}`).toBeUndefined();
          }
        },
      ),
      { numRuns: 25 }, // each new (N, d) compiles its own pipelines: ~1 s apiece on lavapipe
    );
  });
});
