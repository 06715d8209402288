import { freshSeed, testGpu } from '@pretext/gpu/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backend, cpuBackend, mlmMask, setBackend, type Storage, tensor, webgpuBackend } from '../index.js';

type B = Backend<Storage>;
let gpuB: B;
const cpu = cpuBackend() as B;
beforeAll(async () => {
  gpuB = webgpuBackend(await testGpu()) as B;
});
afterAll(() => setBackend(cpu));

describe('mlmMask', () => {
  it('gives the same inputs and targets on webgpu (the kernel) and cpu (its twin)', async () => {
    const seed = freshSeed();
    const ids = Int32Array.from({ length: 6 * 37 }, (_, i) => (i % 37 > 30 ? 0 : 4 + ((i * 7919) % 90)));
    const out: Int32Array[][] = [];
    for (const b of [gpuB, cpu]) {
      setBackend(b);
      const { inputs, targets } = mlmMask(tensor(ids, [6, 37]), { vocab: 94, special: 4, maskId: 1, seed, stream: 2 });
      expect(inputs.shape).toEqual([6, 37]);
      expect(targets.shape).toEqual([6 * 37]);
      out.push([(await inputs.data()) as Int32Array, (await targets.data()) as Int32Array]);
    }
    expect(Array.from(out[0][0]), `seed ${seed}`).toEqual(Array.from(out[1][0]));
    expect(Array.from(out[0][1]), `seed ${seed}`).toEqual(Array.from(out[1][1]));
    expect(out[0][1].filter((t) => t >= 0).length).toBe(6 * 5); // 31 tokens per row → 5 chosen
  });
  it('needs i32 (B, T) ids', () => {
    setBackend(cpu);
    expect(() => mlmMask(tensor(new Float32Array(4), [2, 2]), { vocab: 9, special: 4, maskId: 1, seed: 0 })).toThrow(/ids must be i32 \(B, T\), got f32 \[2, 2\]/);
  });
});
