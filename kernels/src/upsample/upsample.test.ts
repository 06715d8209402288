import { KernelInputError } from '@pretext/gpu';
import { freshSeed, mismatch, poisoned, randn, relErr, testGpu } from '@pretext/gpu/testing';
import { describe, expect, it } from 'vitest';
import { type UpsampleMode, upsample2d, upsample2dBackward } from './upsample.js';
import { upsample2dBackwardRef, upsample2dRef } from './upsample.ref.js';

const numel = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const MODES: UpsampleMode[] = ['nearest', 'bilinear'];

// (N, C, H, W) → (Ho, Wo): one pixel, awkward ratios up and down, exact ×2 and ×4, identity
const CASES: [number[], [number, number]][] = [
  [[1, 1, 1, 1], [3, 5]],
  [[2, 3, 5, 7], [13, 9]],
  [[2, 3, 8, 8], [16, 16]],
  [[1, 2, 7, 6], [3, 4]],
  [[3, 2, 4, 4], [4, 4]],
  [[2, 5, 9, 11], [36, 44]],
];

describe('upsample', () => {
  for (const mode of MODES) {
    it(`${mode}: forward and backward match the float64 reference on awkward sizes`, async () => {
      const gpu = await testGpu();
      for (const [shape, size] of CASES) {
        const seed = freshSeed();
        const outShape = [shape[0], shape[1], ...size];
        const xHost = randn(numel(shape), seed);
        const dyHost = randn(numel(outShape), seed + 1);
        const x = gpu.upload(xHost, shape);
        const dy = gpu.upload(dyHost, outShape);
        const y = upsample2d(gpu, x, { size, mode, out: poisoned(gpu, outShape) });
        const dx = upsample2dBackward(gpu, dy, shape, { size, mode, out: poisoned(gpu, shape) });
        const msg = `seed ${seed}, ${shape} → ${size}`;
        expect(relErr(await gpu.download(y), upsample2dRef(xHost, shape, size, mode)), msg).toBeLessThan(1e-6);
        // dx sums the gradients each input reaches, and a sum may cancel (one pixel → 15 outputs): its error
        // is bounded by the sum of |terms|, upᵀ(|dy|), not by |dx|
        const absSum = upsample2dBackwardRef(dyHost.map(Math.abs), shape, size, mode);
        const bad = mismatch(await gpu.download(dx), upsample2dBackwardRef(dyHost, shape, size, mode), (i) => 1e-5 * absSum[i]);
        expect(bad, msg).toBeUndefined();
        for (const a of [x, dy, y, dx]) gpu.free(a);
      }
    });
  }

  it('the reference backward is the adjoint of the forward: <up(x), g> = <x, upᵀ(g)>', () => {
    const seed = freshSeed();
    for (const mode of MODES) {
      for (const [shape, size] of CASES) {
        const x = randn(numel(shape), seed);
        const g = randn(shape[0] * shape[1] * size[0] * size[1], seed + 1);
        const y = upsample2dRef(x, shape, size, mode);
        const dx = upsample2dBackwardRef(g, shape, size, mode);
        const lhs = y.reduce((s, v, i) => s + v * g[i], 0);
        const rhs = dx.reduce((s, v, i) => s + v * x[i], 0);
        expect(Math.abs(lhs - rhs), `seed ${seed} ${mode} ${shape} → ${size}`).toBeLessThan(1e-9 * (1 + Math.abs(lhs)));
      }
    }
  });

  it('hits known values: nearest copies, bilinear ×2 of [0, 1] is [0, ¼, ¾, 1] (PyTorch)', async () => {
    const gpu = await testGpu();
    const x = gpu.upload(new Float32Array([1, 2, 3, 4]), [1, 1, 2, 2]);
    expect([...(await gpu.download(upsample2d(gpu, x, { size: [2, 4], mode: 'nearest' })))]).toEqual([1, 1, 2, 2, 3, 3, 4, 4]);
    const ramp = gpu.upload(new Float32Array([0, 1]), [1, 1, 1, 2]);
    expect([...(await gpu.download(upsample2d(gpu, ramp, { size: [1, 4], mode: 'bilinear' })))]).toEqual([0, 0.25, 0.75, 1]);
  });

  it('rejects bad input with the kernel and argument named', async () => {
    const gpu = await testGpu();
    const x = gpu.upload(new Float32Array(12), [1, 1, 3, 4]);
    expect(() => upsample2d(gpu, gpu.upload(new Float32Array(12), [3, 4]), { size: [6, 8], mode: 'bilinear' })).toThrow(KernelInputError);
    expect(() => upsample2d(gpu, gpu.upload(new Float32Array(12), [3, 4]), { size: [6, 8], mode: 'bilinear' })).toThrow(/upsample\.bilinear: argument 'x': must be rank 4/);
    expect(() => upsample2d(gpu, x, { size: [0, 8], mode: 'nearest' })).toThrow(/'size': must be two positive integers/);
    expect(() => upsample2d(gpu, x, { size: [6, 8], mode: 'cubic' as UpsampleMode })).toThrow(/'mode': must be one of nearest, bilinear, got 'cubic'/);
    expect(() => upsample2d(gpu, gpu.upload(new Int32Array(12), [1, 1, 3, 4]), { size: [6, 8], mode: 'nearest' })).toThrow(/'x': dtype must be f32/);
    expect(() => upsample2d(gpu, x, { size: [6, 8], mode: 'nearest', out: gpu.empty([1, 1, 6, 7]) })).toThrow(/'out': must be f32 \[1, 1, 6, 8\]/);
    expect(() => upsample2dBackward(gpu, gpu.empty([1, 1, 6, 7]), [1, 1, 3, 4], { size: [6, 8], mode: 'bilinear' })).toThrow(/upsample\.bilinear_backward: argument 'dy': must be f32 \[1, 1, 6, 8\]/);
    expect(() => upsample2d(gpu, gpu.empty([0, 1, 3, 4]), { size: [6, 8], mode: 'nearest' })).toThrow(/empty tensor/);
  });
});
