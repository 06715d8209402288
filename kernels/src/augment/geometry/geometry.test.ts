import { freshSeed, poisoned, randu, relErr, testGpu } from '@pretext/gpu/testing';
import { describe, expect, it } from 'vitest';
import { drawJigsawTiles, drawPatches, drawRotations, jigsawPermutations, NEIGHBOURS, permutationCount } from './draw.js';
import { contextPatches, jigsaw, rotate90 } from './geometry.js';
import { rot90Ref, tilesRef } from './geometry.ref.js';

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

  it('jigsawPermutations: distinct, greedy for average Hamming distance, at most (g²)!', () => {
    const hamming = (p: Int32Array, k: number, a: number, b: number) => {
      let d = 0;
      for (let i = 0; i < k; i++) d += p[a * k + i] === p[b * k + i] ? 0 : 1;
      return d;
    };
    for (const [g, count, least] of [[3, 100, 8], [2, 24, 3], [2, 7, 3]] as const) {
      const k = g * g;
      const p = jigsawPermutations(g, count, 5);
      const rows = Array.from({ length: count }, (_, r) => [...p.subarray(r * k, (r + 1) * k)]);
      expect(new Set(rows.map((r) => r.join())).size).toBe(count);
      for (const r of rows) expect([...r].sort((a, b) => a - b)).toEqual(Array.from({ length: k }, (_, i) => i));
      let sum = 0;
      for (let a = 0; a < count; a++) for (let b = a + 1; b < count; b++) sum += hamming(p, k, a, b);
      // Noroozi & Favaro's 3×3 sets average ≈ 8 of 9 tiles moved; random pairs of permutations 8
      expect(sum / ((count * (count - 1)) / 2), `g ${g}, count ${count}`).toBeGreaterThanOrEqual(least);
    }
    expect(permutationCount(2)).toBe(24);
    expect(() => jigsawPermutations(2, 25)).toThrow(/count must be an integer in \[1, 24\]/);
  });

  it('jigsaw: permuted tiles with gaps and jitter match the reference', async () => {
    const gpu = await testGpu();
    const cases = [[[3, 3, 33, 28], 3, undefined, 1, 1], [[1, 1, 13, 15], 2, 5, 1, 1], [[5, 1, 28, 28], 3, 8, 1, 1], [[2, 3, 64, 64], 3, 18, 3, 2], [[3, 1, 28, 28], 2, 12, 2, 1]] as const;
    let moved = 0;
    for (const [shape, g, size, gap, jitter] of cases) {
      const seed = freshSeed();
      const perms = jigsawPermutations(g, g === 3 ? 10 : 5, seed);
      const data = randu(numel(shape), seed);
      const s = size ?? Math.floor((Math.min(shape[2], shape[3]) - (g - 1) * gap - 2 * jitter) / g);
      const outShape = [shape[0], g * g, shape[1], s, s];
      const { tiles, labels } = jigsaw(gpu, gpu.upload(data, shape), { grid: g, size, gap, jitter, permutations: perms, seed, out: poisoned(gpu, outShape) });
      const { origins, labels: want } = drawJigsawTiles(seed, shape[0], shape[2], shape[3], { grid: g, size: s, gap, jitter }, perms);
      const l = await gpu.download(labels);
      expect([...l], `seed ${seed}`).toEqual([...want]);
      const k = g * g;
      for (let i = 0; i < shape[0]; i++) {
        // slot t holds cell perms[l][t]: its origin − the cell's place in the grid is the grid's origin, up to the jitter
        const base = [0, 1].map((a) => Array.from({ length: k }, (_, t) => {
          const cell = perms[l[i] * k + t];
          return origins[2 * (i * k + t) + a] - (a === 0 ? Math.floor(cell / g) : cell % g) * (s + gap);
        }));
        for (const b of base) {
          expect(Math.max(...b) - Math.min(...b), `seed ${seed}`).toBeLessThanOrEqual(2 * jitter);
          moved += Math.max(...b) - Math.min(...b);
        }
        for (let t = 0; t < k; t++) {
          const [oy, ox] = [origins[2 * (i * k + t)], origins[2 * (i * k + t) + 1]];
          expect(oy >= 0 && ox >= 0 && oy + s <= shape[2] && ox + s <= shape[3], `seed ${seed}`).toBe(true);
        }
      }
      expect(relErr(await gpu.download(tiles), tilesRef(data, shape, k, s, origins)), `seed ${seed} shape ${shape}`).toBe(0);
    }
    expect(moved, 'tiles move by their own jitter').toBeGreaterThan(0);
  });

  it('jigsaw without gap or jitter: putting tile t back at cell perms[label][t] rebuilds the image', async () => {
    const gpu = await testGpu();
    const [n, c, side, g] = [4, 3, 12, 3];
    const size = side / g;
    const perms = jigsawPermutations(g, 30, 1);
    const data = randu(n * c * side * side, 9);
    const { tiles, labels } = jigsaw(gpu, gpu.upload(data, [n, c, side, side]), { grid: g, permutations: perms, seed: 77 });
    const [t, l] = [await gpu.download(tiles), await gpu.download(labels)];
    const rebuilt = new Float32Array(data.length).fill(Number.NaN);
    for (let i = 0; i < n; i++) for (let slot = 0; slot < g * g; slot++) {
      const cell = perms[l[i] * g * g + slot];
      for (let ch = 0; ch < c; ch++) for (let r = 0; r < size; r++) for (let col = 0; col < size; col++) {
        const y = Math.floor(cell / g) * size + r;
        const x = (cell % g) * size + col;
        rebuilt[((i * c + ch) * side + y) * side + x] = t[(((i * g * g + slot) * c + ch) * size + r) * size + col];
      }
    }
    expect([...rebuilt]).toEqual([...data]);
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
      expect(relErr(await gpu.download(patches), tilesRef(data, shape, 2, size, origins)), `seed ${seed} shape ${shape}`).toBe(0);
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
    expect(() => jigsaw(gpu, y, { grid: 3, size: 2, gap: 1, permutations: jigsawPermutations(3, 1), seed: 1 })).toThrow(/6×6 is smaller than grid·size \+ \(grid − 1\)·gap \+ 2·jitter = 8/);
    expect(() => jigsaw(gpu, y, { grid: 7, permutations: jigsawPermutations(2, 1), seed: 1 })).toThrow(/'size': must be an integer ≥ 1, got 0/);
    expect(() => jigsaw(gpu, y, { grid: 2, permutations: Int32Array.of(0, 1, 2, 3), seed: 1, labels: Int32Array.of(0, 1) })).toThrow(/labels must be in \[0, 1\), got 1/);
    expect(() => contextPatches(gpu, y, { size: 2, gap: 1, jitter: 0, seed: 1 })).toThrow(/6×6 is smaller than 3·size \+ 2·gap \+ 2·jitter = 8/);
    expect(() => contextPatches(gpu, y, { size: 0, gap: 0, jitter: 0, seed: 1 })).toThrow(/'size': must be an integer ≥ 1/);
  });
});
