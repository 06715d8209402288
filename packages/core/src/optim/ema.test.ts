import { freshSeed, randn, testGpu } from '@pretext/gpu/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backend, cpuBackend, emaFollower, ParamArena, setBackend, type Storage, tensor } from '../index.js';
import { webgpuBackend } from '../backends/webgpu.js';

type B = Backend<Storage>;
let gpuB: B;
const cpu = cpuBackend() as B;
beforeAll(async () => {
  gpuB = webgpuBackend(await testGpu()) as B;
});
afterAll(() => setBackend(cpu));

describe('emaFollower', () => {
  it('θ_t ← m·θ_t + (1 − m)·θ_s for each pair, whatever else the source arena holds, on webgpu and cpu', async () => {
    const seed = freshSeed();
    const shapes = [[3, 5], [7], [2, 3, 3], [65]];
    for (const b of [gpuB, cpu]) {
      setBackend(b);
      const host = shapes.map((s, i) => randn(s.reduce((x, y) => x * y, 1), seed + i));
      const hostT = shapes.map((s, i) => randn(s.reduce((x, y) => x * y, 1), seed + 10 + i));
      const src = shapes.map((s, i) => tensor(host[i], s));
      const other = tensor(randn(9, seed + 20), [9]);
      // the source arena holds an unrelated parameter between the pairs' 2nd and 3rd: two runs
      const source = new ParamArena([['a', src[0]], ['b', src[1]], ['other', other], ['c', src[2]], ['d', src[3]]]);
      const tgt = shapes.map((s, i) => tensor(hostT[i], s));
      const target = new ParamArena(tgt.map((t, i): [string, typeof t] => [`k${i}`, t]));
      const follow = emaFollower(target, source, tgt.map((t, i) => [t, src[i]] as const));
      follow(0.9);
      for (let i = 0; i < shapes.length; i++) {
        const got = await tgt[i].data();
        for (let j = 0; j < got.length; j++) expect(got[j]).toBeCloseTo(0.9 * hostT[i][j] + 0.1 * host[i][j], 5);
      }
      expect(Array.from(await other.data())).toEqual(Array.from(randn(9, seed + 20)));
      expect(() => follow(1.5)).toThrow(/momentum must be in \[0, 1\]/);
      expect(() => emaFollower(target, source, [[tgt[0], src[1]]])).toThrow(/differ in shape/);
      for (const t of [...src, ...tgt, other]) t.dispose();
      source.dispose();
      target.dispose();
    }
  });
});
