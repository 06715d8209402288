import { KernelInputError } from '@pretext/gpu';
import { freshSeed, poisoned, randn, relErr, rng, testGpu } from '@pretext/gpu/testing';
import { describe, expect, it } from 'vitest';
import { crossEntropy, crossEntropyBackward } from './crossentropy.js';
import { crossEntropyBackwardRef, crossEntropyRef } from './crossentropy.ref.js';

const IGNORE = -100;

/** Targets in [0, C), about a fifth of them ignored (never all of them when rows > 1). */
function makeTargets(rows: number, C: number, seed: number, ignoreFrac = 0.2): Int32Array {
  const r = rng(seed ^ 0x5bd1e995);
  return Int32Array.from({ length: rows }, (_, i) => (i > 0 && r() < ignoreFrac ? IGNORE : Math.floor(r() * C)));
}

describe('crossentropy', () => {
  const cases: [number, number, number, 'mean' | 'sum', number][] = [
    // rows, C, label smoothing, reduction, logit offset (max subtraction must absorb it)
    [1, 1, 0, 'mean', 0],
    [3, 10, 0.1, 'mean', 0],
    [37, 1000, 0, 'sum', 100],
    [29, 1000, 0.2, 'mean', -100],
    [5, 50257, 0.1, 'mean', 0],
    [300, 33, 0.05, 'mean', 20], // ≥ 256 short rows: the thread-per-row variant by default
  ];
  for (const [rows, C, eps, reduction, offset] of cases) {
    it(`forward and backward match the float64 reference: ${rows}×${C}, ε=${eps}, ${reduction}`, async () => {
      const gpu = await testGpu();
      const seed = freshSeed();
      const x = randn(rows * C, seed, 3).map((v) => v + offset);
      const tHost = makeTargets(rows, C, seed);
      const opts = { ignoreIndex: IGNORE, labelSmoothing: eps, reduction };
      const logits = gpu.upload(x, [rows, C]);
      const targets = gpu.upload(tHost);
      const out = { loss: poisoned(gpu, [1]), lse: poisoned(gpu, [rows]), count: poisoned(gpu, [1]), accuracy: poisoned(gpu, [1]) };
      const fwd = crossEntropy(gpu, logits, targets, { ...opts, out });
      // the other forward variant must agree with the default one
      const other = crossEntropy(gpu, logits, targets, { ...opts, variant: rows >= 256 ? 'workgroup' : 'thread' });
      const dlossValue = 0.5 + rng(seed)();
      const dloss = gpu.upload(new Float32Array([dlossValue]));
      const dx = crossEntropyBackward(gpu, logits, targets, fwd, dloss, { ...opts, out: poisoned(gpu, [rows, C]) });
      const want = crossEntropyRef(x, tHost, rows, C, opts);
      const msg = `seed ${seed}`;
      // f32 logits of magnitude |offset| carry absolute rounding ~|offset|·2⁻²⁴ into lse and
      // e^{x − lse}; a one-thread row sums up to 50257 terms serially, whose rounding grows as
      // √C (5×50257 measured 5.15e-6 on one seed of many under 5e-6: the bound scales with √C)
      const tol = 5e-6 * (1 + Math.abs(offset) / 8) * Math.max(1, Math.sqrt(C / 10_000));
      expect(relErr(await gpu.download(fwd.loss), [want.loss]), msg).toBeLessThan(tol);
      expect(relErr(await gpu.download(fwd.lse), want.lse), msg).toBeLessThan(tol);
      expect(relErr(await gpu.download(other.lse), want.lse), msg).toBeLessThan(tol);
      expect(relErr(await gpu.download(other.loss), [want.loss]), msg).toBeLessThan(tol);
      expect(await gpu.download(other.accuracy), msg).toEqual(await gpu.download(fwd.accuracy));
      expect((await gpu.download(fwd.count))[0], msg).toBe(want.count);
      expect((await gpu.download(fwd.accuracy))[0], msg).toBeCloseTo(want.accuracy, 6);
      expect(relErr(await gpu.download(dx), crossEntropyBackwardRef(x, tHost, rows, C, dlossValue, opts)), msg).toBeLessThan(2 * tol);
      for (const a of [logits, targets, dloss, dx, ...Object.values(fwd), ...Object.values(other)]) gpu.free(a);
    });
  }

  it('gradient equals central finite differences of the float64 reference', async () => {
    const gpu = await testGpu();
    const seed = freshSeed();
    const [rows, C] = [6, 7];
    const x = randn(rows * C, seed, 2);
    const tHost = makeTargets(rows, C, seed, 0.3);
    for (const reduction of ['mean', 'sum'] as const) {
      const opts = { ignoreIndex: IGNORE, labelSmoothing: 0.15, reduction };
      const logits = gpu.upload(x, [rows, C]);
      const fwd = crossEntropy(gpu, logits, tHost, opts);
      const dloss = gpu.upload(new Float32Array([1]));
      const got = await gpu.download(crossEntropyBackward(gpu, logits, tHost, fwd, dloss, opts));
      const xd = Float64Array.from(x);
      const h = 1e-6;
      const fd = xd.map((v, i) => {
        xd[i] = v + h;
        const up = crossEntropyRef(xd, tHost, rows, C, opts).loss;
        xd[i] = v - h;
        const down = crossEntropyRef(xd, tHost, rows, C, opts).loss;
        xd[i] = v;
        return (up - down) / (2 * h);
      });
      expect(relErr(got, fd), `seed ${seed} ${reduction}`).toBeLessThan(1e-5);
    }
  });

  it('top-1 accuracy counts argmax hits over non-ignored rows', async () => {
    const gpu = await testGpu();
    // row 0: argmax 2 = target; row 1: tie between 0 and 3 → 0 ≠ target 3; row 2 ignored; row 3 hit
    const x = new Float32Array([0, 1, 5, 2, /**/ 4, 1, 1, 4, /**/ 9, 0, 0, 0, /**/ 0, 0, 0, 1]);
    for (const variant of ['thread', 'workgroup'] as const) {
      const fwd = crossEntropy(gpu, gpu.upload(x, [4, 4]), new Int32Array([2, 3, IGNORE, 3]), { ignoreIndex: IGNORE, variant });
      expect((await gpu.download(fwd.accuracy))[0], variant).toBeCloseTo(2 / 3, 6);
      expect((await gpu.download(fwd.count))[0], variant).toBe(3);
    }
  });

  it('an out-of-range target on the GPU gives a NaN loss and NaN gradient row; all-ignored mean is NaN', async () => {
    const gpu = await testGpu();
    const seed = freshSeed();
    const x = randn(3 * 10, seed);
    const logits = gpu.upload(x, [3, 10]);
    const bad = gpu.upload(new Int32Array([1, 10, IGNORE]));
    const fwd = crossEntropy(gpu, logits, bad);
    expect((await gpu.download(fwd.loss))[0]).toBeNaN();
    expect((await gpu.download(crossEntropy(gpu, logits, bad, { variant: 'thread' }).loss))[0]).toBeNaN();
    const dx = await gpu.download(crossEntropyBackward(gpu, logits, bad, fwd, gpu.upload(new Float32Array([1]))));
    expect(dx.slice(0, 10).every(Number.isFinite), `seed ${seed}`).toBe(true);
    expect(dx.slice(10, 20).every(Number.isNaN)).toBe(true);
    expect([...dx.slice(20)]).toEqual(new Array(10).fill(0));
    const none = crossEntropy(gpu, logits, new Int32Array([IGNORE, IGNORE, IGNORE]));
    expect((await gpu.download(none.loss))[0]).toBeNaN();
    const dz = await gpu.download(crossEntropyBackward(gpu, logits, new Int32Array(3).fill(IGNORE), none, gpu.upload(new Float32Array([1]))));
    expect(dz.every((v) => v === 0)).toBe(true);
  });

  it('rejects bad input with the kernel and argument named', async () => {
    const gpu = await testGpu();
    const logits = gpu.upload(new Float32Array(12), [3, 4]);
    expect(() => crossEntropy(gpu, logits, new Int32Array([0, 4, 1]))).toThrow(KernelInputError);
    expect(() => crossEntropy(gpu, logits, new Int32Array([0, 4, 1]))).toThrow(/crossentropy: argument 'targets': targets\[1\] = 4 is outside \[0, 4\)/);
    expect(() => crossEntropy(gpu, logits, new Int32Array([0, -1, 1]), { ignoreIndex: -1 })).not.toThrow();
    expect(() => crossEntropy(gpu, logits, new Int32Array([0, 1]))).toThrow(/must hold 3 targets/);
    expect(() => crossEntropy(gpu, logits, gpu.upload(new Int32Array(2)))).toThrow(/'targets': must be i32 \[3\]/);
    expect(() => crossEntropy(gpu, logits, gpu.upload(new Float32Array(3)))).toThrow(/'targets': dtype must be i32/);
    expect(() => crossEntropy(gpu, gpu.upload(new Float32Array(12)), new Int32Array(12))).toThrow(/'logits': must be rank 2/);
    expect(() => crossEntropy(gpu, gpu.empty([0, 4]), new Int32Array(0))).toThrow(/empty tensor \[0, 4\]/);
    expect(() => crossEntropy(gpu, logits, new Int32Array(3), { labelSmoothing: 1.5 })).toThrow(/'labelSmoothing': must be in \[0, 1\]/);
    const fwd = crossEntropy(gpu, logits, new Int32Array(3));
    expect(() => crossEntropyBackward(gpu, logits, new Int32Array(3), fwd, gpu.upload(new Float32Array(2)))).toThrow(/crossentropy\.backward: argument 'dloss'/);
    expect(() => crossEntropyBackward(gpu, logits, new Int32Array(3), { ...fwd, lse: gpu.empty([2]) }, fwd.loss)).toThrow(/'lse': must be f32 \[3\]/);
    expect(() => crossEntropyBackward(gpu, logits, new Int32Array(3), fwd, fwd.loss, { out: gpu.empty([4, 3]) })).toThrow(/'out'/);
  });
});
