import { KernelInputError } from '@pretext/gpu';
import { freshSeed, poisoned, randn, randu, relErr, rng, testGpu } from '@pretext/gpu/testing';
import { describe, expect, it } from 'vitest';
import { crossEntropy } from './crossentropy.js';
import { crossEntropyRef } from './crossentropy.ref.js';
import { softCrossEntropy, softCrossEntropyBackward } from './crossentropy_soft.js';
import { softCrossEntropyBackwardRef, softCrossEntropyRef } from './crossentropy_soft.ref.js';

const numel = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** K class indices per row in [0, C) (repeats allowed) and probabilities that sum to 1 per row. */
function makeTargets(shape: readonly number[], K: number, seed: number) {
  const [n, C, ...spatial] = shape;
  const S = numel(spatial);
  const r = rng(seed ^ 0x2545f491);
  const index = Int32Array.from({ length: n * K * S }, () => Math.floor(r() * C));
  const prob = new Float32Array(n * K * S);
  for (let b = 0; b < n; b++) {
    for (let s = 0; s < S; s++) {
      const raw = Array.from({ length: K }, () => 0.05 + r());
      const total = raw.reduce((a, v) => a + v, 0);
      raw.forEach((v, k) => { prob[(b * K + k) * S + s] = v / total; });
    }
  }
  return { index, prob, targetShape: [n, K, ...spatial], rowShape: [n, ...spatial] };
}

describe('crossentropy soft', () => {
  // logits shape (classes on axis 1), K, weighted, reduction, logit offset
  const cases: [number[], number, boolean, 'mean' | 'sum', number][] = [
    [[1, 1], 1, false, 'mean', 0],
    [[3, 7], 3, true, 'mean', 0],
    [[5, 13, 3, 2], 5, true, 'sum', 30],
    [[2, 300, 9, 7], 5, true, 'mean', -20],
    [[4, 33, 17], 2, false, 'mean', 0],
  ];
  for (const [shape, K, weighted, reduction, offset] of cases) {
    it(`forward and backward match the float64 reference: ${shape}, K=${K}, ${weighted ? 'weighted' : 'unweighted'}, ${reduction}`, async () => {
      const gpu = await testGpu();
      const seed = freshSeed();
      const x = randn(numel(shape), seed, 3).map((v) => v + offset);
      const t = makeTargets(shape, K, seed);
      const wHost = weighted ? randu(numel(t.rowShape), seed + 2, 0, 3) : undefined;
      const logits = gpu.upload(x, shape);
      const targets = { index: gpu.upload(t.index, t.targetShape), prob: gpu.upload(t.prob, t.targetShape) };
      const weight = wHost ? gpu.upload(wHost, t.rowShape) : undefined;
      const rows = numel(t.rowShape);
      const out = { loss: poisoned(gpu, [1]), lse: poisoned(gpu, [rows]), accuracy: poisoned(gpu, [1]) };
      const fwd = softCrossEntropy(gpu, logits, targets, { weight, reduction, out });
      const dlossValue = 0.5 + rng(seed)();
      const dloss = gpu.upload(new Float32Array([dlossValue]));
      const dx = softCrossEntropyBackward(gpu, logits, targets, fwd, dloss, { weight, reduction, out: poisoned(gpu, shape) });
      const want = softCrossEntropyRef(x, shape, t.index, t.prob, { weight: wHost, reduction });
      const msg = `seed ${seed}`;
      const tol = 5e-6 * (1 + Math.abs(offset) / 8);
      expect(relErr(await gpu.download(fwd.loss), [want.loss]), msg).toBeLessThan(tol);
      expect(relErr(await gpu.download(fwd.lse), want.lse), msg).toBeLessThan(tol);
      expect((await gpu.download(fwd.accuracy))[0], msg).toBeCloseTo(want.accuracy, 6);
      expect(relErr(await gpu.download(dx), softCrossEntropyBackwardRef(x, shape, t.index, t.prob, dlossValue, { weight: wHost, reduction })), msg).toBeLessThan(2 * tol);
      for (const a of [logits, targets.index, targets.prob, dloss, dx, ...Object.values(fwd), ...(weight ? [weight] : [])]) gpu.free(a);
    });
  }

  it('gradient equals central finite differences of the float64 reference', async () => {
    const gpu = await testGpu();
    const seed = freshSeed();
    const shape = [2, 5, 3];
    const x = randn(numel(shape), seed, 2);
    const t = makeTargets(shape, 3, seed);
    const wHost = randu(numel(t.rowShape), seed + 2, 0.5, 2);
    const opts = { weight: wHost };
    const targets = { index: gpu.upload(t.index, t.targetShape), prob: gpu.upload(t.prob, t.targetShape) };
    const weight = gpu.upload(wHost, t.rowShape);
    const logits = gpu.upload(x, shape);
    const fwd = softCrossEntropy(gpu, logits, targets, { weight });
    const got = await gpu.download(softCrossEntropyBackward(gpu, logits, targets, fwd, gpu.upload(new Float32Array([1])), { weight }));
    const xd = Float64Array.from(x);
    const h = 1e-6;
    const fd = xd.map((v, i) => {
      xd[i] = v + h;
      const up = softCrossEntropyRef(xd, shape, t.index, t.prob, opts).loss;
      xd[i] = v - h;
      const down = softCrossEntropyRef(xd, shape, t.index, t.prob, opts).loss;
      xd[i] = v;
      return (up - down) / (2 * h);
    });
    expect(relErr(got, fd), `seed ${seed}`).toBeLessThan(1e-5);
  });

  it('one-hot targets with unit weights give the hard-target kernel\'s loss', async () => {
    const gpu = await testGpu();
    const seed = freshSeed();
    const [rows, C] = [37, 11];
    const x = randn(rows * C, seed, 2);
    const hard = Int32Array.from({ length: rows }, (_, i) => (i * 7 + seed) % C);
    const soft = softCrossEntropy(gpu, gpu.upload(x, [rows, C]), { index: gpu.upload(hard, [rows, 1]), prob: gpu.upload(new Float32Array(rows).fill(1), [rows, 1]) });
    const want = crossEntropyRef(x, hard, rows, C);
    expect(relErr(await gpu.download(soft.loss), [want.loss]), `seed ${seed}`).toBeLessThan(1e-6);
    expect((await gpu.download(soft.accuracy))[0]).toBeCloseTo(want.accuracy, 6);
    const viaHard = crossEntropy(gpu, gpu.upload(x, [rows, C]), hard);
    expect(relErr(await gpu.download(soft.loss), await gpu.download(viaHard.loss)), `seed ${seed}`).toBeLessThan(1e-6);
  });

  it('hand-computed: two classes, an even split of the target, weight 2', async () => {
    const gpu = await testGpu();
    // row logits (0, ln 3): p = (¼, ¾); target ½/½ → ℓ = −½ ln ¼ − ½ ln ¾, times w = 2; argmax 1 = first target
    const fwd = softCrossEntropy(gpu, gpu.upload(new Float32Array([0, Math.log(3)]), [1, 2]), {
      index: gpu.upload(new Int32Array([1, 0]), [1, 2]),
      prob: gpu.upload(new Float32Array([0.5, 0.5]), [1, 2]),
    }, { weight: gpu.upload(new Float32Array([2]), [1]) });
    expect((await gpu.download(fwd.loss))[0]).toBeCloseTo(-Math.log(0.25) - Math.log(0.75), 5);
    expect((await gpu.download(fwd.accuracy))[0]).toBe(1);
  });

  it('an index outside [0, C) gives a NaN loss and a NaN gradient row only', async () => {
    const gpu = await testGpu();
    const seed = freshSeed();
    const logits = gpu.upload(randn(3 * 4, seed), [3, 4]);
    const targets = { index: gpu.upload(new Int32Array([1, 4, 2]), [3, 1]), prob: gpu.upload(new Float32Array([1, 1, 1]), [3, 1]) };
    const fwd = softCrossEntropy(gpu, logits, targets);
    expect((await gpu.download(fwd.loss))[0]).toBeNaN();
    const dx = await gpu.download(softCrossEntropyBackward(gpu, logits, targets, fwd, gpu.upload(new Float32Array([1]))));
    expect(dx.slice(0, 4).every(Number.isFinite), `seed ${seed}`).toBe(true);
    expect(dx.slice(4, 8).every(Number.isNaN)).toBe(true);
    expect(dx.slice(8).every(Number.isFinite)).toBe(true);
  });

  it('rejects bad input with the kernel and argument named', async () => {
    const gpu = await testGpu();
    const logits = gpu.upload(new Float32Array(24), [2, 4, 3]);
    const index = gpu.upload(new Int32Array(12), [2, 2, 3]);
    const prob = gpu.upload(new Float32Array(12), [2, 2, 3]);
    expect(() => softCrossEntropy(gpu, gpu.upload(new Float32Array(4), [4]), { index, prob })).toThrow(KernelInputError);
    expect(() => softCrossEntropy(gpu, gpu.upload(new Float32Array(4), [4]), { index, prob })).toThrow(/crossentropy\.soft: argument 'logits': must be \(N, C, d₁, …\)/);
    expect(() => softCrossEntropy(gpu, logits, { index: gpu.upload(new Int32Array(8), [2, 2, 2]), prob })).toThrow(/'index': must be i32 \(N, K, d₁, …\) = \(2, K ≥ 1, 3\)/);
    expect(() => softCrossEntropy(gpu, logits, { index: gpu.upload(new Float32Array(12), [2, 2, 3]), prob })).toThrow(/'index': must be i32/);
    expect(() => softCrossEntropy(gpu, logits, { index, prob: gpu.upload(new Float32Array(6), [2, 1, 3]) })).toThrow(/'prob': must be f32 \[2, 2, 3\]/);
    expect(() => softCrossEntropy(gpu, logits, { index, prob }, { weight: gpu.upload(new Float32Array(6), [6]) })).toThrow(/'weight': must be f32 \[2, 3\]/);
    const fwd = softCrossEntropy(gpu, logits, { index, prob });
    expect(() => softCrossEntropyBackward(gpu, logits, { index, prob }, fwd, gpu.upload(new Float32Array(2)))).toThrow(/crossentropy\.soft\.backward: argument 'dloss'/);
    expect(() => softCrossEntropyBackward(gpu, logits, { index, prob }, { lse: gpu.empty([5]) }, fwd.loss)).toThrow(/'lse': must be f32 \[6\]/);
  });
});
