import { KernelInputError } from '@pretext/gpu';
import { freshSeed, poisoned, randn, relErr, testGpu } from '@pretext/gpu/testing';
import { describe, expect, it } from 'vitest';
import { UNARY_OPS, type UnaryOp, unary } from './unary.js';
import { unaryRef } from './unary.ref.js';

// inputs inside each op's domain
const positive = new Set<UnaryOp>(['log', 'sqrt', 'rsqrt', 'pow']);

describe('unary', () => {
  for (const op of Object.keys(UNARY_OPS) as UnaryOp[]) {
    it(`${op} matches the reference on awkward sizes`, async () => {
      const gpu = await testGpu();
      for (const shape of [[1], [7, 13], [257, 65], [3, 1000, 3]]) {
        const seed = freshSeed();
        const n = shape.reduce((a, b) => a * b, 1);
        const data = randn(n, seed, 2).map((v) => (positive.has(op) ? Math.abs(v) + 0.1 : op === 'reciprocal' ? v + Math.sign(v) * 0.5 : v));
        const alpha = op === 'pow' ? 1.7 : 0.3;
        const x = gpu.upload(data, shape);
        const out = poisoned(gpu, shape);
        unary(gpu, op, x, { alpha, out });
        const got = await gpu.download(out);
        // the kernel gets alpha as an f32 param: compare with the op on that value (with 0.3 as a double,
        // add_scalar of x ≈ −0.3 differed by the rounding of 0.3, relatively large next to x + 0.3 ≈ 0)
        expect(relErr(got, unaryRef(op, data, Math.fround(alpha))), `seed ${seed} shape ${shape}`).toBeLessThan(3e-6);
        gpu.free(x);
        gpu.free(out);
      }
    });
  }

  it('rejects bad input with the kernel and argument named', async () => {
    const gpu = await testGpu();
    const ints = gpu.upload(new Int32Array(4));
    expect(() => unary(gpu, 'exp', ints)).toThrow(KernelInputError);
    expect(() => unary(gpu, 'exp', ints)).toThrow(/unary\.exp: argument 'x': dtype must be f32/);
    const x = gpu.upload(new Float32Array(6), [2, 3]);
    expect(() => unary(gpu, 'exp', x, { out: gpu.empty([5]) })).toThrow(/'out'/);
    expect(() => unary(gpu, 'nope' as UnaryOp, x)).toThrow(/unknown op 'nope'/);
    expect(() => unary(gpu, 'exp', gpu.empty([0, 3]))).toThrow(/empty tensor \[0, 3\]/);
  });
});
