import { freshSeed, poisoned, randu, relErr, testGpu } from '@pretext/gpu/testing';
import { describe, expect, it } from 'vitest';
import { drawJigsaw, drawPatches, drawRotations, jigsawPermutations, NEIGHBOURS } from './draw.js';
import { contextPatches, jigsaw, rotate90 } from './geometry.js';
import { jigsawRef, patchesRef, rot90Ref } from './geometry.ref.js';

const numel = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

describe('augment geometry', () => {
  it('rotate90 matches torch.rot90 semantics and returns the drawn labels', async () => {
    const gpu = await testGpu();
    // a 2×2 check by hand: rot90 of [[1, 2], [3, 4]] is [[2, 4], [1, 3]]
    const { images: hand } = rotate90(gpu, gpu.upload(new Float32Array([1, 2, 3, 4]), [1, 1, 2, 2]), { seed: 0, labels: Int32Array.of(1) });
    expect([...(await gpu.download(hand))]).toEqual([2, 4, 1, 3]);
    for (const shape of [[3, 3, 5, 5], [1, 1, 13, 13], [3, 1, 28, 28], [3, 3, 33, 33]]) {
      const seed = freshSeed();
      const data = randu(numel(shape), seed);
      const { images, labels } = rotate90(gpu, gpu.upload(data, shape), { seed, out: poisoned(gpu, shape) });
      const k = await gpu.download(labels);
      expect([...k], `seed ${seed}`).toEqual([...drawRotations(seed, shape[0])]);
      expect(relErr(await gpu.download(images), rot90Ref(data, shape, k)), `seed ${seed} shape ${shape}`).toBe(0);
    }
  });

  it('jigsaw permutes grid tiles by the drawn permutation index', async () => {
    const gpu = await testGpu();
    const perms = jigsawPermutations(3, 10, 7);
    expect(new Set(Array.from({ length: 10 }, (_, r) => perms.subarray(r * 9, r * 9 + 9).join())).size).toBe(10);
    for (const [shape, g] of [[[3, 3, 33, 28], 3], [[1, 1, 13, 5], 2], [[3, 1, 28, 28], 3]] as const) {
      const seed = freshSeed();
      const p = g === 3 ? perms : jigsawPermutations(2, 5, seed);
      const count = p.length / (g * g);
      const data = randu(numel(shape), seed);
      const outShape = [shape[0], g * g, shape[1], Math.floor(shape[2] / g), Math.floor(shape[3] / g)];
      const { tiles, labels } = jigsaw(gpu, gpu.upload(data, shape), { grid: g, permutations: p, seed, out: poisoned(gpu, outShape) });
      const l = await gpu.download(labels);
      expect([...l], `seed ${seed}`).toEqual([...drawJigsaw(seed, shape[0], count)]);
      expect(relErr(await gpu.download(tiles), jigsawRef(data, shape, g, p, l)), `seed ${seed} shape ${shape}`).toBe(0);
    }
  });

  it('context patches: centre and neighbour at the drawn grid cells, labels 0..7', async () => {
    const gpu = await testGpu();
    for (const [shape, size, gap, jitter] of [[[3, 3, 33, 28], 7, 2, 1], [[1, 1, 5, 5], 1, 1, 0], [[3, 1, 28, 33], 8, 1, 1]] as const) {
      const seed = freshSeed();
      const data = randu(numel(shape), seed);
      const outShape = [shape[0], 2, shape[1], size, size];
      const { patches, labels } = contextPatches(gpu, gpu.upload(data, shape), { size, gap, jitter, seed, out: poisoned(gpu, outShape) });
      const { origins, labels: want } = drawPatches(seed, shape[0], shape[2], shape[3], size, gap, jitter);
      const l = await gpu.download(labels);
      expect([...l], `seed ${seed}`).toEqual([...want]);
      for (let i = 0; i < shape[0]; i++) {
        // neighbour − centre offset is the label's cell step, up to the two jitters
        const [r, c] = NEIGHBOURS[l[i]];
        const step = size + gap;
        expect(Math.abs(origins[4 * i + 2] - origins[4 * i] - (r - 1) * step), `seed ${seed}`).toBeLessThanOrEqual(2 * jitter);
        expect(Math.abs(origins[4 * i + 3] - origins[4 * i + 1] - (c - 1) * step), `seed ${seed}`).toBeLessThanOrEqual(2 * jitter);
      }
      expect(relErr(await gpu.download(patches), patchesRef(data, shape, size, origins)), `seed ${seed} shape ${shape}`).toBe(0);
    }
  });

  it('rejects bad input with clear messages', async () => {
    const gpu = await testGpu();
    const x = gpu.upload(new Float32Array(3 * 8 * 6), [1, 3, 8, 6]);
    expect(() => rotate90(gpu, x, { seed: 1 })).toThrow(/augment\.rotate90: argument 'images': rotation by 90° needs square images/);
    const sq = gpu.upload(new Float32Array(2 * 2 * 36), [2, 2, 6, 6]);
    expect(() => rotate90(gpu, sq, { seed: 1 })).toThrow(/channel count must be 1 or 3, got 2/);
    const y = gpu.upload(new Float32Array(2 * 3 * 36), [2, 3, 6, 6]);
    expect(() => rotate90(gpu, y, { seed: 1, labels: Int32Array.of(0, 4) })).toThrow(/labels must be in \[0, 4\), got 4/);
    expect(() => jigsaw(gpu, y, { grid: 2, permutations: Int32Array.of(0, 1, 2, 2), seed: 1 })).toThrow(/row 0 is not a permutation of 0\.\.3/);
    expect(() => jigsaw(gpu, y, { grid: 2, permutations: Int32Array.of(0, 1, 2), seed: 1 })).toThrow(/rows of 4 entries/);
    expect(() => jigsaw(gpu, y, { grid: 7, permutations: jigsawPermutations(7, 1), seed: 1 })).toThrow(/'grid': must be an integer in \[1, min\(H, W\) = 6\]/);
    expect(() => contextPatches(gpu, y, { size: 2, gap: 1, jitter: 0, seed: 1 })).toThrow(/6×6 is smaller than 3·size \+ 2·gap \+ 2·jitter = 8/);
    expect(() => contextPatches(gpu, y, { size: 0, gap: 0, jitter: 0, seed: 1 })).toThrow(/'size': must be an integer ≥ 1/);
  });
});
