// Property test (fast-check): cross-entropy (loss, lse, accuracy) against the float64 reference over
// random rows × classes, logits mixing ordinary, huge (±1e30), subnormal and zero values. NaN
// policy: a NaN logit makes its row's lse and the loss NaN (the trainer stops on a NaN loss).
// Accuracy counts a row as right only when its target's logit is strictly the largest: a tie (an
// all-equal row) is wrong, so a constant model cannot score 100%.
import { extremeValues, mismatch, rng, testGpu, VALUE_KIND_NAMES } from '@pretext/gpu/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crossEntropy } from './crossentropy.js';
import { crossEntropyRef } from './crossentropy.ref.js';

describe('crossentropy: properties over random shapes and extreme values', () => {
  it('loss and lse match the reference; NaN logits → NaN lse and loss', async () => {
    const gpu = await testGpu();
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          rows: fc.integer({ min: 1, max: 70 }),
          C: fc.integer({ min: 1, max: 300 }),
          kinds: fc.subarray(VALUE_KIND_NAMES, { minLength: 1 }),
          nans: fc.constantFrom(0, 0, 1, 2),
          seed: fc.integer({ min: 0, max: 2 ** 30 }),
        }),
        async ({ rows, C, kinds, nans, seed }) => {
          const logits = extremeValues(rows * C, kinds, nans, seed);
          const r = rng(seed + 7);
          const targets = Int32Array.from({ length: rows }, () => Math.floor(r() * C));
          const out = crossEntropy(gpu, gpu.upload(logits, [rows, C]), targets);
          const [loss, lse] = [await gpu.download(out.loss), await gpu.download(out.lse)];
          const ref = crossEntropyRef(logits, targets, rows, C);
          const nanRow = Array.from({ length: rows }, (_, i) => logits.subarray(i * C, (i + 1) * C).some(Number.isNaN));
          const wantLse = ref.lse.map((v, i) => (nanRow[i] ? Number.NaN : v));
          const wantLoss = nanRow.some(Boolean) ? Number.NaN : ref.loss;
          const what = `crossEntropy [${rows}, ${C}] kinds ${kinds} nans ${nans} seed ${seed}`;
          // lse = max + log Σ exp(x − max): rounding relative to |max| plus the log's
          const scale = Math.max(...Array.from(ref.lse, (v) => (Number.isFinite(v) ? Math.abs(v) : 0)), 1);
          const badLse = mismatch(lse, wantLse, (i) => 4e-7 * (Math.abs(wantLse[i]) + 1) * 4);
          expect(badLse, `${what} lse: ${badLse}`).toBeUndefined();
          const badLoss = mismatch(loss, [wantLoss], () => 2e-6 * scale * 4);
          expect(badLoss, `${what} loss: ${badLoss}`).toBeUndefined();
          if (!nans) expect((await gpu.download(out.accuracy))[0], `${what} accuracy`).toBeCloseTo(ref.accuracy, 6);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('accuracy: ties are wrong — all-equal logits score 0, a strict maximum scores 1 (short and wide rows)', async () => {
    const gpu = await testGpu();
    for (const C of [4, 1000]) {
      const rows = 5;
      const targets = Int32Array.from([0, 1, 2, 3, 0]);
      const acc = async (logits: Float32Array) => (await gpu.download(crossEntropy(gpu, gpu.upload(logits, [rows, C]), targets).accuracy))[0];
      expect(await acc(new Float32Array(rows * C)), `C = ${C}, all zero`).toBe(0);
      const strict = new Float32Array(rows * C);
      targets.forEach((t, i) => (strict[i * C + t] = 1));
      expect(await acc(strict), `C = ${C}, strict`).toBe(1);
      strict[C + 3] = 1; // row 1: its target ties with class 3
      expect(await acc(strict), `C = ${C}, one tie`).toBeCloseTo(0.8, 6);
    }
  });
});
