import { absErr, freshSeed, poisoned, testGpu } from '@pretext/gpu/testing';
import { rand2 } from '@pretext/random';
import { describe, expect, it } from 'vitest';
import { randomNormal, randomUniform } from './rng.js';
import { randomRef } from './rng.ref.js';

// The host side's known-answer vectors are in @pretext/random (threefry.test.ts); here the GPU side
// must agree with it bit for bit, through the reference.
describe('rng (threefry2x32-20)', () => {
  it('draws on the GPU the very numbers @pretext/random draws on the host', async () => {
    const gpu = await testGpu();
    const seed = freshSeed();
    // U(0, 1) = (u32 >> 8) / 2^24 is exact in f32, so the two sides must agree to the bit
    const u = await gpu.download(randomUniform(gpu, [1001], 0, 1, { seed, stream: 9, out: poisoned(gpu, [1001]) }));
    expect(Array.from(u), `seed ${seed}`).toEqual(Array.from({ length: 1001 }, (_, i) => rand2(seed, 9, i, 0)[0]));
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
