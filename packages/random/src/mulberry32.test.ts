import { describe, expect, it } from 'vitest';
import { rng } from './mulberry32.js';

describe('rng (mulberry32)', () => {
  it('reproduces the reference outputs', () => {
    // mulberry32(1985)'s first two u32 outputs, as other implementations publish them
    const r = rng(1985);
    expect(r() * 2 ** 32).toBe(3527837133);
    expect(r() * 2 ** 32).toBe(3112574143);
  });

  it('is seeded: same seed same stream, another seed another, values in [0, 1)', () => {
    const a = Array.from({ length: 1000 }, rng(42));
    expect(Array.from({ length: 1000 }, rng(42))).toEqual(a);
    expect(Array.from({ length: 1000 }, rng(43))).not.toEqual(a);
    expect(Math.min(...a)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...a)).toBeLessThan(1);
    expect(Math.abs(a.reduce((s, v) => s + v, 0) / a.length - 0.5)).toBeLessThan(0.05);
    // seeds are taken mod 2^32
    expect(rng(2 ** 32 + 5)()).toBe(rng(5)());
  });
});
