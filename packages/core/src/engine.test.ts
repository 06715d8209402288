import { testGpu } from '@pretext/gpu/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { cpuBackend, keep, liveTensors, noGrad, ones, setBackend, tensor, tidy, useWebGpu, webgpuBackend, zeros } from './index.js';

beforeAll(async () => {
  await testGpu();
  await useWebGpu();
});

describe('autograd engine', () => {
  it('accumulates gradients across backward calls and through shared inputs', async () => {
    const x = tensor([1, 2, 3], [3], { requiresGrad: true });
    // y = Σ x·x + Σ 2x  ⇒  dy/dx = 2x + 2
    x.mul(x).add(x.mul(2)).sum().backward();
    expect([...(await x.grad!.data())]).toEqual([4, 6, 8]);
    x.sum().backward();
    expect([...(await x.grad!.data())]).toEqual([5, 7, 9]);
  });

  it('names the problem: freed graph, disposed tensor, non-scalar, mixed backends, no grad', () => {
    const x = tensor([1, 2], [2], { requiresGrad: true });
    const y = x.exp().sum();
    y.backward();
    expect(() => y.backward()).toThrow(/already freed.*retainGraph/);
    const z = x.exp();
    expect(() => z.backward()).toThrow(/not a scalar; pass the gradient/);
    const d = tensor([1, 2]);
    d.dispose();
    expect(() => d.add(1)).toThrow(/was disposed and cannot be used/);
    const other = cpuBackend();
    setBackend(other);
    const c = tensor([1, 2]);
    setBackend(x.backend);
    expect(() => x.add(c)).toThrow(/different backends \(webgpu and cpu\)/);
    expect(() => tensor([1]).backward()).toThrow(/does not require grad/);
    expect(() => tensor([1, 2, 3], [2, 2])).toThrow(/shape \[2, 2\] holds 4 values, data has 3/);
    expect(() => tensor([1, 2, 3], [3]).matmul(tensor([1, 2], [1, 2]))).toThrow(/rank ≥ 2/);
    expect(() => tensor([1, 2, 3, 4, 5, 6], [2, 3]).matmul(tensor([1, 2, 3, 4], [2, 2]))).toThrow(/inner dims differ: \[2, 3\] · \[2, 2\]/);
    expect(() => tensor([1, 2, 3], [3]).add(tensor([1, 2], [2]))).toThrow(/add: cannot broadcast \[3\] with \[2\]/);
  });

  it('retains the graph when asked', async () => {
    const x = tensor([3], [1], { requiresGrad: true });
    const y = x.square().sum();
    y.backward(undefined, { retainGraph: true });
    y.backward();
    expect([...(await x.grad!.data())]).toEqual([12]);
  });

  it('noGrad records nothing; detach cuts the graph', () => {
    const x = tensor([1, 2], [2], { requiresGrad: true });
    expect(noGrad(() => x.mul(2)).requiresGrad).toBe(false);
    expect(x.mul(2).detach().requiresGrad).toBe(false);
  });

  it('tidy disposes every intermediate and keeps what is returned or kept', () => {
    const before = liveTensors();
    let kept = zeros([1]);
    const out = tidy(() => {
      const a = ones([4]);
      const b = a.add(1).mul(3);
      kept = keep(b.sum());
      return b.exp();
    });
    expect(liveTensors() - before).toBe(3); // the first `kept`, the kept sum, the result
    expect(out.disposed).toBe(false);
    expect(kept.disposed).toBe(false);
  });

  it('a repeated training-style step creates no new GPU buffers or pipelines', async () => {
    const gpu = await testGpu();
    const b = webgpuBackend(gpu);
    setBackend(b);
    const w = tensor(new Float32Array(64).fill(0.1), [8, 8], { requiresGrad: true });
    const step = async () => {
      const loss = tidy(() => {
        const x = ones([4, 8]);
        const l = x.matmul(w).relu().softmax().sum();
        l.backward();
        return l;
      });
      await loss.item();
      loss.dispose();
      w.grad?.dispose();
      w.grad = null;
    };
    await step();
    await step();
    const s0 = gpu.stats();
    for (let i = 0; i < 3; i++) await step();
    const s1 = gpu.stats();
    expect(s1.buffersCreated - s0.buffersCreated).toBe(0);
    expect(s1.pipelinesCreated - s0.pipelinesCreated).toBe(0);
    expect(b.store.liveBuffers).toBeLessThan(10);
  });
});
