import { freshSeed, randu, testGpu } from '@pretext/gpu/testing';
import { jigsawPermutations } from '@pretext/kernels';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backend, contextPatches, cpuBackend, jigsaw, rotate90, setBackend, type Storage, type Tensor, tensor, webgpuBackend } from '../index.js';

type B = Backend<Storage>;
let gpuB: B;
const cpu = cpuBackend() as B;
beforeAll(async () => {
  gpuB = webgpuBackend(await testGpu()) as B;
});
afterAll(() => setBackend(cpu));

/** The op's outputs on webgpu (the kernel) and on cpu (the reference), same input and seed. */
async function both(shape: number[], seed: number, op: (x: Tensor) => Tensor[]): Promise<[number[][], number[][]]> {
  const host = randu(shape.reduce((a, b) => a * b, 1), seed);
  const out: number[][][] = [];
  for (const b of [gpuB, cpu]) {
    setBackend(b);
    const x = tensor(host, shape);
    const ts = op(x);
    out.push(await Promise.all(ts.map(async (t) => [...(await t.data())])));
    for (const t of [x, ...ts]) t.dispose();
  }
  return [out[0], out[1]];
}

describe('geometric views: webgpu (kernels) = cpu (references)', () => {
  it('rotate90, jigsaw and context patches agree exactly on awkward sizes', async () => {
    const seed = freshSeed();
    const perms = jigsawPermutations(3, 17, seed);
    const cases: [string, number[], (x: Tensor) => Tensor[]][] = [
      ['rotate90', [5, 3, 13, 13], (x) => Object.values(rotate90(x, { seed }))],
      ['rotate90 given labels', [4, 1, 7, 7], (x) => Object.values(rotate90(x, { seed, labels: Int32Array.of(3, 2, 1, 0) }))],
      ['jigsaw', [3, 3, 31, 29], (x) => Object.values(jigsaw(x, { grid: 3, gap: 2, jitter: 1, permutations: perms, seed }))],
      ['jigsaw 2×2', [6, 1, 28, 28], (x) => Object.values(jigsaw(x, { grid: 2, size: 11, gap: 2, jitter: 1, permutations: jigsawPermutations(2, 24), seed }))],
      ['contextPatches', [3, 3, 27, 30], (x) => Object.values(contextPatches(x, { size: 7, gap: 2, jitter: 1, seed }))],
    ];
    for (const [name, shape, op] of cases) {
      const [g, c] = await both(shape, seed, op);
      expect(g.map((a) => a.length), name).toEqual(c.map((a) => a.length));
      g.forEach((a, i) => expect(a, `${name} output ${i}, seed ${seed}`).toEqual(c[i]));
    }
  });

  it('names the op and the sizes when the view does not fit', () => {
    setBackend(cpu);
    const x = tensor(new Float32Array(2 * 28 * 28), [2, 1, 28, 28]);
    expect(() => jigsaw(x, { grid: 3, size: 9, gap: 1, jitter: 1, permutations: jigsawPermutations(3, 2), seed: 0 })).toThrow(/jigsaw: a 3×3 grid of 9-pixel tiles, gap 1, jitter 1 needs 31 pixels a side/);
    expect(() => contextPatches(x, { size: 9, gap: 1, jitter: 0, seed: 0 })).toThrow(/contextPatches: 3 patches of 9 pixels, gap 1, jitter 0 need 29 pixels/);
    expect(() => rotate90(tensor(new Float32Array(2 * 28 * 27), [2, 1, 28, 27]), { seed: 0 })).toThrow(/rotate90: rotation by 90° needs square images/);
    expect(() => rotate90(x, { seed: 0, labels: Int32Array.of(0, 4) })).toThrow(/labels must be 2 values in \[0, 4\)/);
  });
});
