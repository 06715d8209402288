import { freshSeed, randn, testGpu } from '@pretext/gpu/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assign, assignAt, assignRows, type Backend, cpuBackend, setBackend, type Storage, tensor, webgpuBackend } from '../index.js';

type B = Backend<Storage>;
let gpuB: B;
const cpu = cpuBackend() as B;
beforeAll(async () => {
  gpuB = webgpuBackend(await testGpu()) as B;
});
afterAll(() => setBackend(cpu));

describe('assignRows / assign', () => {
  it('writes rows [start, start + R) in place and leaves the others, on webgpu and cpu', async () => {
    const seed = freshSeed();
    // awkward sizes: 13 rows of 7, 5 rows written at 6 (offset 42 elements: not a multiple of 64)
    const dstHost = randn(13 * 7, seed);
    const srcHost = randn(5 * 7, seed + 1);
    for (const b of [gpuB, cpu]) {
      setBackend(b);
      const dst = tensor(dstHost, [13, 7]);
      const src = tensor(srcHost, [5, 7]);
      assignRows(dst, 6, src);
      const got = await dst.data();
      const want = Float32Array.from(dstHost);
      want.set(srcHost, 42);
      expect(Array.from(got), `${b.name}, seed ${seed}`).toEqual(Array.from(want));
      const copy = tensor(new Float32Array(13 * 7).fill(Number.NaN), [13, 7]);
      assign(copy, dst);
      expect(Array.from(await copy.data())).toEqual(Array.from(want));
      for (const t of [dst, src, copy]) t.dispose();
    }
  });

  it('refuses rows outside the destination, other row shapes and dtypes', () => {
    setBackend(cpu);
    const dst = tensor(new Float32Array(12), [4, 3]);
    expect(() => assignRows(dst, 3, tensor(new Float32Array(6), [2, 3]))).toThrow(/rows \[3, 5\) are outside dst's 4/);
    expect(() => assignRows(dst, 0, tensor(new Float32Array(4), [2, 2]))).toThrow(/must be rows of dst/);
    expect(() => assignRows(dst, 0, tensor(new Int32Array(3), [1, 3]))).toThrow(/src is i32, dst f32/);
    expect(() => assign(dst, tensor(new Float32Array(6), [2, 3]))).toThrow(/differs from dst/);
  });
});

describe('assignAt', () => {
  it('writes a block along any axis in place (a KV cache), equal on webgpu and cpu', async () => {
    const seed = freshSeed();
    // dst (2, 3, 9, 5): src (2, 3, 2, 5) at positions 4, 5 of axis 2
    const dstHost = randn(2 * 3 * 9 * 5, seed);
    const srcHost = randn(2 * 3 * 2 * 5, seed + 1);
    const want = Float32Array.from(dstHost);
    for (let o = 0; o < 6; o++) want.set(srcHost.subarray(o * 10, o * 10 + 10), (o * 9 + 4) * 5);
    for (const b of [gpuB, cpu]) {
      setBackend(b);
      const dst = tensor(dstHost, [2, 3, 9, 5]);
      const src = tensor(srcHost, [2, 3, 2, 5]);
      assignAt(dst, 2, 4, src);
      expect(Array.from(await dst.data()), `${b.name}, seed ${seed}`).toEqual(Array.from(want));
      expect(() => assignAt(dst, 2, 8, src)).toThrow(/\[8, 10\) along axis 2 is outside dst's 9/);
      expect(() => assignAt(dst, 1, 0, src)).toThrow(/must match dst \[2, 3, 9, 5\] except along axis 1/);
      for (const t of [dst, src]) t.dispose();
    }
  });
});
