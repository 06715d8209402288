import { KernelInputError } from '@pretext/gpu';
import { freshSeed, poisoned, randn, relErr, testGpu } from '@pretext/gpu/testing';
import { describe, expect, it } from 'vitest';
import { type ReduceOp, reduce, sumToShape } from './reduce.js';
import { reduceRef, sumToShapeRef } from './reduce.ref.js';

const numel = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const OPS: ReduceOp[] = ['sum', 'mean', 'max', 'min', 'argmax', 'argmin'];
// [shape, axis]: rows of 1, 7, 1000 and 100003 elements; middle and leading axes; everything
const CASES: [number[], number | undefined][] = [
  [[1], 0],
  [[3, 7], -1],
  [[5, 1000], 1],
  [[100003], 0],
  [[2, 100003], 1],
  [[9000, 3], 0],
  [[4, 33, 5], 1],
  [[6, 5, 70], 0],
  [[3, 1, 4], 1],
  [[7, 13, 2], undefined],
  [[100003], undefined],
];

describe('reduce', () => {
  for (const op of OPS) {
    it(`${op} along an axis and over everything`, async () => {
      const gpu = await testGpu();
      const arg = op.startsWith('arg');
      for (const [shape, axis] of CASES) {
        for (const keepdims of axis === 0 ? [false, true] : [false]) {
          const seed = freshSeed();
          // argmax/argmin: coarse values so ties happen; the smallest index must win
          const data = randn(numel(shape), seed).map((v) => (arg ? Math.round(v * 4) : v));
          const x = gpu.upload(data, shape);
          const outShape = axis === undefined ? [] : shape.filter((_, k) => k !== (axis < 0 ? axis + shape.length : axis));
          const want = reduceRef(op, data, shape, axis);
          const out = arg ? gpu.upload(new Int32Array(numel(outShape)).fill(-7), outShape) : poisoned(gpu, outShape);
          const got = reduce(gpu, op, x, { axis, out: keepdims ? undefined : out, keepdims });
          if (keepdims) expect(got.shape).toEqual(shape.map((d, k) => (k === axis ? 1 : d)));
          const vals = await gpu.download(got);
          if (arg) expect([...vals], `seed ${seed} ${shape} axis ${axis}`).toEqual([...want]);
          else if (op === 'max' || op === 'min') expect(relErr(vals, want), `seed ${seed} ${shape} axis ${axis}`).toBeLessThan(1e-5);
          else {
            // a tree sum in f32 is off by about log2(R)·ε·Σ|x|: zero-mean rows make Σx ≪ Σ|x|,
            // so the bound is relative to the sum of magnitudes, per output
            const R = axis === undefined ? numel(shape) : shape[axis < 0 ? axis + shape.length : axis];
            const mag = reduceRef(op, data.map(Math.abs), shape, axis);
            const wantMax = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
            const worst = Math.max(...Array.from(want, (w, i) => Math.abs(vals[i] - w) - (1e-5 * wantMax + 4 * Math.log2(R + 1) * 1.2e-7 * mag[i])));
            expect(worst, `seed ${seed} ${shape} axis ${axis}: error beyond the f32 bound`).toBeLessThanOrEqual(0);
          }
          gpu.free(x);
          gpu.free(out);
          if (keepdims) gpu.free(got);
        }
      }
    });
  }

  it('sumToShape sums the broadcast dims back', async () => {
    const gpu = await testGpu();
    const cases: [number[], number[]][] = [
      [[7], [7]],
      [[5, 7], [1]],
      [[5, 7], []],
      [[4, 9, 6], [6]],
      [[4, 9, 6], [9, 1]],
      [[4, 9, 6], [4, 1, 6]],
      [[3, 1, 5, 2, 7], [1, 5, 1, 1]],
      [[1000, 3, 33], [3, 1]],
    ];
    for (const [xs, shape] of cases) {
      const seed = freshSeed();
      const data = randn(numel(xs), seed);
      const x = gpu.upload(data, xs);
      const out = poisoned(gpu, shape);
      sumToShape(gpu, x, shape, { out });
      expect(relErr(await gpu.download(out), sumToShapeRef(data, xs, shape)), `seed ${seed} ${xs} → ${shape}`).toBeLessThan(1e-5);
      gpu.free(x);
      gpu.free(out);
    }
  });

  it('rejects bad input with clear messages', async () => {
    const gpu = await testGpu();
    const x = gpu.upload(new Float32Array(12), [3, 4]);
    expect(() => reduce(gpu, 'sum', x, { axis: 2 })).toThrow(KernelInputError);
    expect(() => reduce(gpu, 'sum', x, { axis: 2 })).toThrow(/reduce\.sum: argument 'axis': 2 is out of range for x \[3, 4\]/);
    expect(() => reduce(gpu, 'argmax', x, { axis: 0, out: gpu.empty([4]) })).toThrow(/'out': must be i32 \[4\], got f32 \[4\]/);
    expect(() => reduce(gpu, 'max', gpu.upload(new Int32Array(3)))).toThrow(/dtype must be f32, got i32/);
    expect(() => reduce(gpu, 'prod' as ReduceOp, x)).toThrow(/unknown op 'prod'/);
    expect(() => reduce(gpu, 'sum', gpu.empty([2, 0]))).toThrow(/empty tensor \[2, 0\]/);
    expect(() => sumToShape(gpu, x, [2, 4])).toThrow(/sumToShape: argument 'shape': \[2, 4\] does not broadcast to x \[3, 4\]/);
    expect(() => sumToShape(gpu, x, [1, 3, 4])).toThrow(/does not broadcast/);
  });
});
