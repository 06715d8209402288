import { KernelInputError } from '@pretext/gpu';
import { freshSeed, poisoned, randn, relErr, testGpu } from '@pretext/gpu/testing';
import { describe, expect, it } from 'vitest';
import { dropout, dropoutBackward } from './dropout.js';
import { dropoutMaskRef, dropoutRef } from './dropout.ref.js';

describe('dropout', () => {
  it('mask matches the CPU twin bit for bit, values match the reference, forward and backward', async () => {
    const gpu = await testGpu();
    for (const shape of [[1], [7, 13], [3, 1001]]) {
      for (const p of [0.1, 0.5, 0.9]) {
        const seed = freshSeed();
        const n = shape.reduce((a, b) => a * b, 1);
        // nonzero inputs, so a zero output means a dropped element
        const xHost = randn(n, seed).map((v) => v + Math.sign(v) * 0.1 || 0.1);
        const x = gpu.upload(xHost, shape);
        const y = await gpu.download(dropout(gpu, x, p, { seed, stream: 3, out: poisoned(gpu, shape) }));
        const keep = dropoutMaskRef(n, p, seed, 3);
        const msg = `seed ${seed} shape ${shape} p ${p}`;
        expect(Array.from(y, (v) => (v !== 0 ? 1 : 0)), msg).toEqual(Array.from(keep));
        expect(relErr(y, dropoutRef(xHost, p, seed, 3)), msg).toBeLessThan(1e-6);
        const dyHost = randn(n, seed + 1);
        const dx = await gpu.download(dropoutBackward(gpu, gpu.upload(dyHost, shape), p, { seed, stream: 3, out: poisoned(gpu, shape) }));
        expect(relErr(dx, dropoutRef(dyHost, p, seed, 3)), msg).toBeLessThan(1e-6);
      }
    }
  });

  it('p = 0 is the identity, p = 1 gives zeros', async () => {
    const gpu = await testGpu();
    const seed = freshSeed();
    const xHost = randn(999, seed);
    const x = gpu.upload(xHost);
    expect(await gpu.download(dropout(gpu, x, 0, { seed, out: poisoned(gpu, [999]) })), `seed ${seed}`).toEqual(xHost);
    expect((await gpu.download(dropout(gpu, x, 1, { seed, out: poisoned(gpu, [999]) }))).every((v) => v === 0)).toBe(true);
  });

  it('keeps a fraction 1 − p and preserves the mean; streams differ', async () => {
    const gpu = await testGpu();
    const seed = freshSeed();
    const n = 200_001;
    const p = 0.3;
    const x = gpu.upload(new Float32Array(n).fill(1));
    const y = await gpu.download(dropout(gpu, x, p, { seed }));
    let [kept, mean] = [0, 0];
    for (const v of y) {
      kept += v !== 0 ? 1 / n : 0;
      mean += v / n;
    }
    // std of the kept fraction: √(p(1−p)/n) ≈ 0.001; of the mean: that / (1 − p)
    expect(Math.abs(kept - (1 - p)), `seed ${seed}`).toBeLessThan(0.006);
    expect(Math.abs(mean - 1), `seed ${seed}`).toBeLessThan(0.009);
    const other = await gpu.download(dropout(gpu, x, p, { seed, stream: 1 }));
    expect(other).not.toEqual(y);
  });

  it('rejects bad input with the kernel and argument named', async () => {
    const gpu = await testGpu();
    const x = gpu.upload(new Float32Array(6), [2, 3]);
    expect(() => dropout(gpu, x, -0.1, { seed: 1 })).toThrow(KernelInputError);
    expect(() => dropout(gpu, x, 1.5, { seed: 1 })).toThrow(/dropout: argument 'p': must be in \[0, 1\], got 1.5/);
    expect(() => dropout(gpu, x, Number.NaN, { seed: 1 })).toThrow(/'p'/);
    expect(() => dropout(gpu, x, 0.5, { seed: 1.5 })).toThrow(/'seed'/);
    expect(() => dropout(gpu, gpu.upload(new Int32Array(4)), 0.5, { seed: 1 })).toThrow(/'x': dtype must be f32/);
    expect(() => dropout(gpu, x, 0.5, { seed: 1, out: gpu.empty([5]) })).toThrow(/'out': must be f32 \[2, 3\]/);
    expect(() => dropoutBackward(gpu, gpu.empty([0]), 0.5, { seed: 1 })).toThrow(/dropout\.backward: argument 'dy': empty tensor/);
  });
});
