import { describe, expect, it } from 'vitest';
import { rand2, randn1, threefry2x32, u32ToUnit } from './threefry.js';

describe('threefry2x32-20', () => {
  it('matches the Random123 known-answer vectors', () => {
    // Random123 tests/kat_vectors, lines "threefry2x32 20 <ctr0 ctr1> <key0 key1> <out0 out1>"
    // (JAX's random_test checks the same three); our argument order is key, then counter.
    const kat: [number, number, number, number, number, number][] = [
      [0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x6b200159, 0x99ba4efe],
      [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0x1cb996fc, 0xbb002be7],
      [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xc4923a9c, 0x483df7a0],
    ];
    for (const [c0, c1, k0, k1, o0, o1] of kat) expect(threefry2x32(k0, k1, c0, c1)).toEqual([o0, o1]);
  });

  it('maps u32 to [0, 1) with 24 bits', () => {
    expect(u32ToUnit(0)).toBe(0);
    expect(u32ToUnit(0xff)).toBe(0); // the low 8 bits are dropped
    expect(u32ToUnit(0x100)).toBe(2 ** -24);
    expect(u32ToUnit(0xffffffff)).toBe(1 - 2 ** -24);
  });

  it('draws uniforms and normals of the right moments, independent across streams and draws', () => {
    const n = 20_000;
    let su = 0;
    let sn = 0;
    let sn2 = 0;
    for (let i = 0; i < n; i++) {
      const [a, b] = rand2(7, 3, i, 0);
      expect(a).toBe(u32ToUnit(threefry2x32(7, 3, i, 0)[0]));
      su += a + b;
      const z = randn1(7, 3, i, 1);
      sn += z;
      sn2 += z * z;
    }
    // means of 2n uniforms (σ ≈ 0.29/√(2n) ≈ 0.002) and n normals (σ ≈ 0.007): bounds at ~5σ
    expect(Math.abs(su / (2 * n) - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(sn / n)).toBeLessThan(0.04);
    expect(Math.abs(sn2 / n - 1)).toBeLessThan(0.06);
    expect(rand2(7, 3, 0, 0)).not.toEqual(rand2(7, 4, 0, 0));
    expect(rand2(7, 3, 0, 0)).not.toEqual(rand2(7, 3, 0, 1));
    expect(rand2(7, 3, 0, 0)).toEqual(rand2(7, 3, 0, 0));
  });
});
