import { absErr, freshSeed, poisoned, testGpu } from '@pretext/gpu/testing';
import { describe, expect, it } from 'vitest';
import { randomNormal, randomUniform } from './random.js';
import { randomRef, threefry2x32 } from './rng.ref.js';

describe('rng (threefry2x32-20)', () => {
  it('matches the Random123 known-answer vectors', () => {
    // Random123 kat_vectors: threefry2x32_20
    expect(threefry2x32(0, 0, 0, 0)).toEqual([0x6b200159, 0x99ba4efe]);
    expect(threefry2x32(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff)).toEqual([0x1cb996fc, 0xbb002be7]);
    expect(threefry2x32(0x13198a2e, 0x03707344, 0x243f6a88, 0x85a308d3)).toEqual([0xc4923a9c, 0x483df7a0]);
  });

  it('GPU uniform and normal draws equal the CPU twin', async () => {
    const gpu = await testGpu();
    for (const n of [1, 7, 1001]) {
      const seed = freshSeed();
      const u = randomUniform(gpu, [n], -2, 3, { seed, stream: 5, out: poisoned(gpu, [n]) });
      // lo + (hi − lo)·u rounds twice in f32: |error| ≤ 2 ulp of max(|lo|, |hi|) whatever the draw (n = 1 may draw ≈ 0,
      // so a bound relative to the values themselves would fail on rounding alone).
      expect(absErr(await gpu.download(u), randomRef('uniform', n, seed, 5, -2, 3)), `seed ${seed}`).toBeLessThan(2 * 3 * 2 ** -23);
      const g = randomNormal(gpu, [n], 1, 0.5, { seed, stream: 2, out: poisoned(gpu, [n]) });
      // mean + std·z with z from f32 log/cos (a few ulp each) and |z| < 6: bound by 1e-5 of mean + 6·std
      expect(absErr(await gpu.download(g), randomRef('normal', n, seed, 2, 1, 0.5)), `seed ${seed}`).toBeLessThan(1e-5 * (1 + 6 * 0.5));
    }
  });

  it('has the moments of its distributions and differs across streams', async () => {
    const gpu = await testGpu();
    const n = 200_003;
    const seed = freshSeed();
    const g = (await gpu.download(randomNormal(gpu, [n], 0, 1, { seed }))) as Float32Array;
    const mean = g.reduce((a, b) => a + b, 0) / n;
    const variance = g.reduce((a, b) => a + b * b, 0) / n - mean * mean;
    expect(Math.abs(mean), `seed ${seed}`).toBeLessThan(0.02);
    expect(Math.abs(variance - 1), `seed ${seed}`).toBeLessThan(0.02);
    const a = await gpu.download(randomUniform(gpu, [64], 0, 1, { seed, stream: 0 }));
    const b = await gpu.download(randomUniform(gpu, [64], 0, 1, { seed, stream: 1 }));
    expect(a).not.toEqual(b);
    expect(Math.min(...a)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...a)).toBeLessThan(1);
  });

  it('rejects a bad seed', async () => {
    const gpu = await testGpu();
    expect(() => randomUniform(gpu, [4], 0, 1, { seed: -1 })).toThrow(/random\.uniform: argument 'seed'/);
  });
});
