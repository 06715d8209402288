import { broadcastIndex, broadcastShapes, KernelInputError } from '@pretext/gpu';
import { freshSeed, poisoned, randn, relErr, testGpu } from '@pretext/gpu/testing';
import { describe, expect, it } from 'vitest';
import { BINARY_OPS, type BinaryOp, binary, where } from './binary.js';
import { binaryRef, whereRef } from './binary.ref.js';

const numel = (s: number[]) => s.reduce((a, b) => a * b, 1);
// [a shape, b shape]: equal, scalar, bias, outer product, middle broadcast, 6-D with stretches on both sides
const PAIRS: [number[], number[]][] = [
  [[1], [1]],
  [[7, 13], [7, 13]],
  [[257, 65], [65]],
  [[3, 1000, 3], [1]],
  [[33, 1], [1, 17]],
  [[5, 1, 9], [5, 7, 1]],
  [[2, 1, 3, 1, 5, 2], [1, 4, 3, 3, 1, 2]],
  // 8 or 4 outputs per invocation: equal shapes, and a last dim that is a multiple of 4 or 8 (stride 1 or 0)
  [[12, 4], [12, 4]],
  [[3, 16], [3, 16]],
  [[6, 8], [6, 1]],
  [[3, 5, 12], [5, 12]],
];

// values: integers in [-4, 4] half the time, so eq/ge/le hit ties and pow sees negative bases
function values(n: number, seed: number, op: BinaryOp, side: 'a' | 'b'): Float32Array {
  const v = randn(n, seed, 2);
  if (op === 'pow') return side === 'a' ? v.map((x, i) => (i % 2 ? Math.abs(x) + 0.1 : Math.round(x) || -1)) : v.map((x) => Math.round(x) || 2);
  if (op === 'div' && side === 'b') return v.map((x) => x + Math.sign(x) * 0.5);
  if (['gt', 'ge', 'lt', 'le', 'eq'].includes(op)) return v.map((x) => Math.round(x));
  return v;
}

// gelu_grad(dy, x) = dy·(s + x·s(1 − s)·2c(1 + 3·0.044715x²)), s = σ(2c(x + 0.044715x³)): the two
// terms cancel to 0 near x ≈ −0.75, where an error relative to the output is meaningless (a 1×1
// operand made the test flaky). f32 rounds each term to a few ulp of |dy|·(1 + |x|) (the second
// term stays below |x|), so the error is judged against that scale, element by element.
function geluGradErr(got: ArrayLike<number>, want: ArrayLike<number>, dy: ArrayLike<number>, dyShape: number[], x: ArrayLike<number>, xShape: number[]): number {
  const shape = broadcastShapes(dyShape, xShape)!;
  const [id, ix] = [broadcastIndex(dyShape, shape), broadcastIndex(xShape, shape)];
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const scale = Math.abs(dy[id[i]]) * (1 + Math.abs(x[ix[i]]));
    const e = Math.abs(got[i] - want[i]) / Math.max(scale, 1e-30);
    worst = Number.isNaN(e) ? Number.POSITIVE_INFINITY : Math.max(worst, e);
  }
  return worst;
}

describe('binary', () => {
  for (const op of Object.keys(BINARY_OPS) as BinaryOp[]) {
    it(`${op} matches the reference with broadcasting`, async () => {
      const gpu = await testGpu();
      for (const [as, bs] of PAIRS) {
        for (const [sa, sb] of [[as, bs], [bs, as]]) {
          const seed = freshSeed();
          const ad = values(numel(sa), seed, op, 'a');
          const bd = values(numel(sb), seed + 1, op, 'b');
          const a = gpu.upload(ad, sa);
          const b = gpu.upload(bd, sb);
          const shape = broadcastShapes(sa, sb)!;
          const out = poisoned(gpu, shape);
          binary(gpu, op, a, b, { out });
          const got = await gpu.download(out);
          const want = binaryRef(op, ad, sa, bd, sb);
          const wantNaN = want.map((x) => +Number.isNaN(x));
          expect(got.map((x) => +Number.isNaN(x)), `seed ${seed} ${sa} ${sb}: NaN pattern`).toEqual(Float32Array.from(wantNaN));
          const keep = (x: ArrayLike<number>) => Float64Array.from(x).filter((_, i) => !wantNaN[i]);
          if (op === 'gelu_grad') {
            expect(geluGradErr(got, want, ad, sa, bd, sb), `seed ${seed} a ${sa} b ${sb}`).toBeLessThan(1e-5);
          } else {
            expect(relErr(keep(got), keep(want)), `seed ${seed} a ${sa} b ${sb}`).toBeLessThan(op === 'pow' ? 1e-5 : 1e-6);
          }
          for (const x of [a, b, out]) gpu.free(x);
        }
      }
    });
  }

  it('allocates its output with the broadcast shape', async () => {
    const gpu = await testGpu();
    const a = gpu.upload(Float32Array.from([1, 2, 3]), [3, 1]);
    const b = gpu.upload(Float32Array.from([10, 20]), [2]);
    const out = binary(gpu, 'add', a, b);
    expect(out.shape).toEqual([3, 2]);
    expect([...(await gpu.download(out))]).toEqual([11, 21, 12, 22, 13, 23]);
    for (const x of [a, b, out]) gpu.free(x);
  });

  it('where selects with broadcasting', async () => {
    const gpu = await testGpu();
    for (const [cs, as, bs] of [[[5, 7], [5, 7], [5, 7]], [[9, 1], [1, 11], [1]], [[2, 3, 1, 4], [3, 5, 1], [4]]]) {
      const seed = freshSeed();
      const cd = randn(numel(cs), seed).map((x) => +(x > 0));
      const ad = randn(numel(as), seed + 1);
      const bd = randn(numel(bs), seed + 2);
      const [c, a, b] = [gpu.upload(cd, cs), gpu.upload(ad, as), gpu.upload(bd, bs)];
      const out = poisoned(gpu, broadcastShapes(cs, as, bs)!);
      where(gpu, c, a, b, { out });
      expect(relErr(await gpu.download(out), whereRef(cd, cs, ad, as, bd, bs)), `seed ${seed}`).toBe(0);
      for (const x of [c, a, b, out]) gpu.free(x);
    }
  });

  it('rejects bad input naming both shapes', async () => {
    const gpu = await testGpu();
    const a = gpu.upload(new Float32Array(8), [4, 2]);
    const b = gpu.upload(new Float32Array(3), [3]);
    expect(() => binary(gpu, 'add', a, b)).toThrow(KernelInputError);
    expect(() => binary(gpu, 'add', a, b)).toThrow(/binary\.add: argument 'a, b': shapes \[4, 2\] and \[3\] do not broadcast/);
    expect(() => binary(gpu, 'mul', a, gpu.upload(new Int32Array(2)))).toThrow(/argument 'b': dtype must be f32, got i32/);
    expect(() => binary(gpu, 'mul', a, gpu.empty([0]))).toThrow(/empty tensor \[0\]/);
    expect(() => binary(gpu, 'nope' as BinaryOp, a, a)).toThrow(/unknown op 'nope'/);
    expect(() => binary(gpu, 'sub', a, a, { out: gpu.empty([8]) })).toThrow(/'out': must be f32 \[4, 2\]/);
    expect(() => where(gpu, b, a, a)).toThrow(/where: argument 'cond, a, b': shapes \[3\] and \[4, 2\] and \[4, 2\] do not broadcast/);
  });
});
