import { KernelInputError } from '@pretext/gpu';
import { freshSeed, rng, testGpu } from '@pretext/gpu/testing';
import { describe, expect, it } from 'vitest';
import { mlmMask } from './mlmmask.js';
import { mlmMaskRef } from './mlmmask.ref.js';

const SPECIAL = 4;
const MASK = 1;
const POISON = -777;

/** Rows [CLS] tokens [SEP] [PAD]…, lengths in [minLen, T] (some rows all padding when empty). */
function batch(b: number, t: number, vocab: number, seed: number, minLen = 0): Int32Array {
  const r = rng(seed);
  const ids = new Int32Array(b * t);
  for (let i = 0; i < b; i++) {
    const len = minLen + Math.floor(r() * (t - minLen + 1));
    for (let j = 0; j < len; j++) ids[i * t + j] = j === 0 ? 2 : j === len - 1 ? 3 : SPECIAL + Math.floor(r() * (vocab - SPECIAL));
  }
  return ids;
}

describe('mlmMask', () => {
  it('matches its CPU twin exactly, with exact 15% / 80 / 10 / 10 counts, on awkward sizes', async () => {
    const gpu = await testGpu();
    for (const [b, t, vocab, minLen] of [[1, 1, 5, 1], [3, 7, 9, 0], [5, 130, 372, 2], [33, 64, 1000, 40], [2, 1024, 300, 1000], [64, 129, 260, 0]]) {
      const seed = freshSeed();
      const ids = batch(b, t, vocab, seed, minLen);
      const what = `seed ${seed} B ${b} T ${t} vocab ${vocab}`;
      const spec = { b, t, vocab, special: SPECIAL, maskId: MASK, rateQ: 1500, maskQ: 8000, randomQ: 1000, seed, stream: 5, ignore: -100 };
      const want = mlmMaskRef(ids, spec);
      const inputs = gpu.upload(new Int32Array(b * t).fill(POISON), [b, t]);
      const targets = gpu.upload(new Int32Array(b * t).fill(POISON), [b * t]);
      mlmMask(gpu, gpu.upload(ids, [b, t]), { vocab, special: SPECIAL, maskId: MASK, seed, stream: 5, inputs, targets });
      const gotIn = await gpu.download(inputs);
      const gotT = await gpu.download(targets);
      expect(Array.from(gotIn), `${what} inputs`).toEqual(Array.from(want.inputs));
      expect(Array.from(gotT), `${what} targets`).toEqual(Array.from(want.targets));
      // the counts: per row max(1, round(0.15·n)); of all chosen, round(0.8K) [MASK], round(0.1K) random
      let chosen = 0;
      let masked = 0;
      let changed = 0;
      for (let i = 0; i < b; i++) {
        let n = 0;
        let k = 0;
        for (let j = 0; j < t; j++) {
          const at = i * t + j;
          if (ids[at] >= SPECIAL) n++;
          if (gotT[at] === -100) {
            expect(gotIn[at], `${what}: unchosen token changed`).toBe(ids[at]);
            continue;
          }
          expect(ids[at]).toBeGreaterThanOrEqual(SPECIAL);
          expect(gotT[at]).toBe(ids[at]);
          k++;
          if (gotIn[at] === MASK) masked++;
          else if (gotIn[at] !== ids[at]) {
            changed++;
            expect(gotIn[at]).toBeGreaterThanOrEqual(SPECIAL);
            expect(gotIn[at]).toBeLessThan(vocab);
          }
        }
        expect(k, `${what} row ${i}`).toBe(n === 0 ? 0 : Math.max(1, Math.floor((n * 1500 + 5000) / 10000)));
        chosen += k;
      }
      expect([chosen, masked], what).toEqual([want.chosen, want.masked]);
      expect(want.masked).toBe(Math.floor((chosen * 8000 + 5000) / 10000));
      expect(want.random).toBe(Math.floor((chosen * 1000 + 5000) / 10000));
      // a random replacement may draw the original token: at most R changed, and the twin agrees
      expect(changed).toBeLessThanOrEqual(want.random);
    }
  });

  it('redraws with the seed and stream; every row gets ≈ 15% chosen and ≈ 80/10/10 of them', async () => {
    const gpu = await testGpu();
    const ids = batch(48, 128, 372, 9, 128);
    const x = gpu.upload(ids, [48, 128]);
    const a = await gpu.download(mlmMask(gpu, x, { vocab: 372, special: SPECIAL, maskId: MASK, seed: 1 }).targets);
    const b = await gpu.download(mlmMask(gpu, x, { vocab: 372, special: SPECIAL, maskId: MASK, seed: 1, stream: 1 }).targets);
    const c = await gpu.download(mlmMask(gpu, x, { vocab: 372, special: SPECIAL, maskId: MASK, seed: 2 }).targets);
    const same = (u: ArrayLike<number>, v: ArrayLike<number>) => Array.from(u).every((q, i) => (q === -100) === (v[i] === -100));
    expect(same(a, b)).toBe(false);
    expect(same(a, c)).toBe(false);
    const { inputs } = mlmMask(gpu, x, { vocab: 372, special: SPECIAL, maskId: MASK, seed: 3 });
    const inp = await gpu.download(inputs);
    for (let r = 0; r < 48; r++) {
      let masks = 0;
      for (let j = 0; j < 128; j++) if (inp[r * 128 + j] === MASK) masks++;
      // 126 tokens → 19 chosen → ≈ 15 [MASK] (the roles interleave along the batch labels)
      expect(Math.abs(masks - 15.2), `row ${r}`).toBeLessThanOrEqual(2);
    }
  });

  it('rejects bad input with the kernel and argument named', async () => {
    const gpu = await testGpu();
    const ids = gpu.upload(new Int32Array(8), [2, 4]);
    expect(() => mlmMask(gpu, gpu.empty([2, 4]), { vocab: 10, special: 4, maskId: 1, seed: 0 })).toThrow(KernelInputError);
    expect(() => mlmMask(gpu, gpu.empty([2, 4]), { vocab: 10, special: 4, maskId: 1, seed: 0 })).toThrow(/mlmMask: argument 'ids': must be i32 \(B, T\), got f32/);
    expect(() => mlmMask(gpu, ids, { vocab: 4, special: 4, maskId: 1, seed: 0 })).toThrow(/argument 'vocab'/);
    expect(() => mlmMask(gpu, ids, { vocab: 10, special: 4, maskId: 10, seed: 0 })).toThrow(/argument 'maskId'/);
    expect(() => mlmMask(gpu, ids, { vocab: 10, special: 4, maskId: 1, seed: 0, rate: 0 })).toThrow(/argument 'rate': must be in \(0, 1\]/);
    expect(() => mlmMask(gpu, ids, { vocab: 10, special: 4, maskId: 1, seed: -1 })).toThrow(/argument 'seed'/);
    expect(() => mlmMask(gpu, gpu.upload(new Int32Array(1025), [1, 1025]), { vocab: 10, special: 4, maskId: 1, seed: 0 })).toThrow(/exceed the supported 1024/);
  });
});
