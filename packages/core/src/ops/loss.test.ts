import { freshSeed, randn, testGpu } from '@pretext/gpu/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backend, classification, cpuBackend, crossEntropy, setBackend, type Storage, tensor, webgpuBackend } from '../index.js';

type B = Backend<Storage>;
let gpuB: B;
const cpu = cpuBackend() as B;
beforeAll(async () => {
  gpuB = webgpuBackend(await testGpu()) as B;
});
afterAll(() => setBackend(cpu));

describe('classification', () => {
  it('top-1 accuracy over the rows that count, and the same loss as crossEntropy, on webgpu and cpu', async () => {
    const seed = freshSeed();
    const [rows, C] = [37, 11];
    const logits = randn(rows * C, seed);
    const targets = Int32Array.from({ length: rows }, (_, r) => (r % 5 === 0 ? -100 : (r * 7) % C));
    let hits = 0;
    let count = 0;
    for (let r = 0; r < rows; r++) {
      if (targets[r] === -100) continue;
      count++;
      const row = Array.from(logits.subarray(r * C, (r + 1) * C));
      if (row.indexOf(Math.max(...row)) === targets[r]) hits++;
    }
    for (const b of [gpuB, cpu]) {
      setBackend(b);
      const x = tensor(logits, [rows, C]);
      const t = tensor(targets);
      const { loss, accuracy } = classification(x, t);
      const plain = crossEntropy(x, t);
      expect(await accuracy.item(), `${b.name} seed ${seed}`).toBeCloseTo(hits / count, 6);
      expect(await loss.item()).toBeCloseTo(await plain.item(), 6);
      for (const v of [x, t, loss, accuracy, plain]) v.dispose();
    }
  });
});
