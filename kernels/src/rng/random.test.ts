import { freshSeed, poisoned, relErr, testGpu } from '@pretext/gpu/testing';
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
      expect(relErr(await gpu.download(u), randomRef('uniform', n, seed, 5, -2, 3)), `seed ${seed}`).toBeLessThan(1e-6);
      const g = randomNormal(gpu, [n], 1, 0.5, { seed, stream: 2, out: poisoned(gpu, [n]) });
      expect(relErr(await gpu.download(g), randomRef('normal', n, seed, 2, 1, 0.5)), `seed ${seed}`).toBeLessThan(1e-5);
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
