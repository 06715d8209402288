import { KernelInputError } from '@pretext/gpu';
import { freshSeed, poisoned, randn, relErr, testGpu } from '@pretext/gpu/testing';
import { describe, expect, it } from 'vitest';
import { transpose } from './transpose.js';
import { transposeRef } from './transpose.ref.js';

const numel = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

describe('transpose', () => {
  // tiled path: 2-D and batched swaps of the last two dims (also after merging), sizes off the tile
  // general path: everything else, up to 6 dims
  const cases: [number[], number[] | undefined][] = [
    [[1], undefined],
    [[1, 1], undefined],
    [[1, 37], undefined],
    [[33, 65], undefined],
    [[100, 7], [1, 0]],
    [[3, 31, 45], [0, 2, 1]],
    [[2, 3, 40, 33], [0, 1, 3, 2]],
    [[5, 6, 7], [1, 2, 0]],
    [[4, 5, 6], [2, 0, 1]],
    [[2, 3, 4, 5], [3, 1, 0, 2]],
    [[2, 3, 2, 4, 3, 2], [5, 3, 1, 0, 2, 4]],
    [[3, 1, 4, 1, 5], [4, 3, 2, 1, 0]],
  ];
  for (const [shape, perm] of cases) {
    it(`permutes ${shape} by ${perm ?? 'reversal'}`, async () => {
      const gpu = await testGpu();
      const seed = freshSeed();
      const data = randn(numel(shape), seed);
      const x = gpu.upload(data, shape);
      const want = transposeRef(data, shape, perm);
      const out = poisoned(gpu, want.shape);
      transpose(gpu, x, perm, { out });
      expect(relErr(await gpu.download(out), want.data), `seed ${seed}`).toBe(0);
      gpu.free(x);
      gpu.free(out);
    });
  }

  it('moves i32 words and allocates the permuted shape', async () => {
    const gpu = await testGpu();
    const data = Int32Array.from({ length: 35 * 40 }, (_, i) => (i * 7919) | 0);
    const x = gpu.upload(data, [35, 40]);
    const out = transpose(gpu, x);
    expect(out.shape).toEqual([40, 35]);
    expect(out.dtype).toBe('i32');
    expect([...(await gpu.download(out))]).toEqual([...transposeRef(data, [35, 40]).data]);
    gpu.free(x);
    gpu.free(out);
  });

  it('rejects bad permutations and outputs', async () => {
    const gpu = await testGpu();
    const x = gpu.upload(new Float32Array(6), [2, 3]);
    expect(() => transpose(gpu, x, [0, 0])).toThrow(KernelInputError);
    expect(() => transpose(gpu, x, [1])).toThrow(/transpose: argument 'perm': \[1\] is not a permutation of the 2 dims of x \[2, 3\]/);
    expect(() => transpose(gpu, x, [1, 0], { out: gpu.empty([2, 3]) })).toThrow(/'out': must be f32 \[3, 2\]/);
    expect(() => transpose(gpu, gpu.empty([0, 4]))).toThrow(/empty tensor \[0, 4\]/);
  });
});
