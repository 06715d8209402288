import { randn, relErr } from '@pretext/gpu/testing';
import { avgPool2d, lightness, noGrad, tensor, useWebGpu } from '@pretext/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConvNet, EncoderDecoder, Init, KvCache, meanPool, MLP, projectionHead, ResNet, Transformer, UpsampleDecoder } from './index.js';

beforeAll(async () => {
  await useWebGpu();
});

describe('models', () => {
  it('ConvNet: (N, 1, 28, 28) → (N, 4w), named parameters and running buffers', async () => {
    const net = new ConvNet(new Init(1), 1, 4);
    const y = net.forward(tensor(randn(2 * 784, 1), [2, 1, 28, 28]));
    expect(y.shape).toEqual([2, 16]);
    const names = net.namedParameters().map(([n]) => n);
    expect(names).toContain('blocks.0.conv.weight');
    expect(names).toContain('blocks.2.bn.bias');
    expect(net.namedBuffers().map(([n]) => n)).toContain('blocks.1.bn.runningVar');
    expect(Number.isFinite((await y.data())[0])).toBe(true);
  });

  it('ConvNet blocks (fused BN + ReLU + max or mean pool) equal the layer-by-layer forward, in training and eval mode', async () => {
    const { globalAvgPool2d, maxPool2d } = await import('@pretext/core');
    const net = new ConvNet(new Init(3), 1, 4, { grid: 2 });
    const x = tensor(randn(3 * 784, 7), [3, 1, 28, 28]);
    const block = net.blocks[0];
    const layered = () => maxPool2d(block.bn.forward(block.conv.forward(x), { relu: true }), 2);
    // training: batch statistics (the first call moves the running ones off (0, 1) for eval below)
    expect(relErr(await block.forward(x, { pool: 2 }).data(), await layered().data())).toBeLessThan(1e-6);
    const mean = globalAvgPool2d(block.bn.forward(block.conv.forward(x), { relu: true }));
    expect(relErr(await block.forward(x, { pool: 'mean' }).data(), await mean.data())).toBeLessThan(1e-6);
    net.eval();
    const fused = noGrad(() => block.forward(x, { pool: 2 }));
    expect(relErr(await fused.data(), await layered().data())).toBeLessThan(1e-6);
  });

  it('ConvNet grid pooling: (N, 4w·g²), each cell the mean of its window', async () => {
    const net = new ConvNet(new Init(2), 1, 4, { grid: 2 });
    const x = tensor(randn(3 * 784, 5), [3, 1, 28, 28]);
    const y = net.forward(x);
    expect(y.shape).toEqual([3, 64]);
    expect(net.featureDim).toBe(64);
    // the 7×7 map in 2×2 windows of 4 with stride 3: cell (0, 0) averages rows and columns 0..3
    let h = x;
    const { maxPool2d } = await import('@pretext/core');
    h = maxPool2d(net.blocks[0].forward(h), 2);
    h = maxPool2d(net.blocks[1].forward(h), 2);
    const map = await net.blocks[2].forward(h).data(); // (3, 16, 7, 7)
    const got = await y.data();
    for (const [n, c, gy, gx] of [[0, 0, 0, 0], [2, 15, 1, 1], [1, 7, 0, 1]]) {
      let s = 0;
      for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) s += map[((n * 16 + c) * 7 + 3 * gy + i) * 7 + 3 * gx + j];
      expect(got[n * 64 + c * 4 + gy * 2 + gx]).toBeCloseTo(s / 16, 5);
    }
    expect(() => new ConvNet(new Init(2), 1, 4, { grid: 0 })).toThrow(/grid must be an integer ≥ 1/);
    expect(() => new ConvNet(new Init(2), 1, 4, { grid: 9 }).forward(x)).toThrow(/7-cell side cannot be pooled to a grid of 9/);
  });

  it('ConvNet downsample: a 2×-larger image average-pooled first equals the pooled image through the plain net', async () => {
    const big = tensor(randn(2 * 3 * 56 * 58, 8), [2, 3, 56, 58]);
    const a = new ConvNet(new Init(4), 3, 4, { grid: 2, downsample: 2 });
    const b = new ConvNet(new Init(4), 3, 4, { grid: 2 });
    const pooled = tensor(await avgPool2d(big, 2).data(), [2, 3, 28, 29]);
    const ya = await a.forward(big).data();
    const yb = await b.forward(pooled).data();
    expect(a.featureDim).toBe(64);
    expect(ya.length).toBe(2 * 64);
    for (let i = 0; i < ya.length; i++) expect(ya[i]).toBeCloseTo(yb[i], 5);
    expect(() => new ConvNet(new Init(2), 1, 4, { downsample: 1.5 })).toThrow(/downsample must be an integer ≥ 1, got 1.5/);
  });

  it('ConvNet lightness input: RGB in, the plain 1-channel net on L/100; featureMap is the unpooled last map', async () => {
    const rgb = tensor(Float32Array.from(randn(2 * 3 * 32 * 32, 9), (v) => Math.min(1, Math.abs(v) / 3)), [2, 3, 32, 32]);
    const a = new ConvNet(new Init(6), 1, 4, { grid: 2, downsample: 2, input: 'lightness' });
    const b = new ConvNet(new Init(6), 1, 4, { grid: 2, downsample: 2 });
    const l = tensor(await lightness(rgb).data(), [2, 1, 32, 32]);
    expect(relErr(await a.forward(rgb).data(), await b.forward(l).data())).toBeLessThan(1e-5);
    const map = a.featureMap(rgb);
    expect(map.shape).toEqual([2, a.mapChannels, 32 / a.mapStride, 32 / a.mapStride]);
    expect([a.mapChannels, a.mapStride]).toEqual([16, 8]);
    expect(() => new ConvNet(new Init(6), 3, 4, { input: 'lightness' })).toThrow(/input 'lightness' is one channel/);
  });

  it('EncoderDecoder: the feature map upsampled to per-pixel outputs; gradients reach encoder and decoder', async () => {
    const init = new Init(8);
    const enc = new ConvNet(init, 3, 4);
    const dec = new UpsampleDecoder(init, enc.mapChannels, 8, 11, 2);
    const model = new EncoderDecoder(enc, dec);
    const y = model.forward(tensor(randn(2 * 3 * 28 * 28, 3), [2, 3, 28, 28]));
    expect(y.shape).toEqual([2, 11, 14, 14]);
    expect(model.stride).toBe(2);
    y.square().mean().backward();
    expect(enc.blocks[0].conv.weight.grad?.shape).toEqual([4, 3, 3, 3]);
    expect(dec.head.bias?.grad?.shape).toEqual([11]);
    expect(model.namedParameters().map(([n]) => n)).toContain('decoder.head.weight');
    expect(() => new UpsampleDecoder(init, 4, 4, 4, 0)).toThrow(/scale must be an integer ≥ 1/);
  });

  it('same seed, same initial weights; eval() switches batch norm to running statistics', async () => {
    const a = new ConvNet(new Init(7), 1, 4);
    const b = new ConvNet(new Init(7), 1, 4);
    expect([...(await a.parameters()[0].data())]).toEqual([...(await b.parameters()[0].data())]);
    const x = tensor(randn(3 * 784, 2), [3, 1, 28, 28]);
    const train = await a.forward(x).data();
    a.eval();
    expect(a.blocks[0].bn.training).toBe(false);
    const ev = await a.forward(x).data();
    expect([...ev]).not.toEqual([...train]);
  });

  it('ResNet and heads compose, and gradients reach the first layer', async () => {
    const init = new Init(3);
    const net = new ResNet(init, { inChannels: 3, width: 4, stages: [1, 1] });
    const head = projectionHead(init, net.featureDim, 8, 4);
    const z = head.forward(net.forward(tensor(randn(2 * 3 * 16 * 16, 4), [2, 3, 16, 16])));
    expect(z.shape).toEqual([2, 4]);
    z.square().sum().backward();
    expect(net.stem.conv.weight.grad?.shape).toEqual([4, 3, 3, 3]);
    expect(new MLP(init, [5, 6, 7]).numParameters()).toBe(5 * 6 + 6 + 6 * 7 + 7);
  });

  it('Transformer encoder (padding mask) and decoder (causal) give (B, T, C) and tied logits', async () => {
    for (const causal of [false, true]) {
      const tf = new Transformer(new Init(5), { vocab: 11, maxLen: 9, dim: 16, heads: 2, layers: 2, causal, positions: causal ? 'learned' : 'sinusoidal' });
      const ids = tensor(Int32Array.from({ length: 14 }, (_, i) => i % 11), [2, 7]);
      const mask = causal ? undefined : tensor(Int32Array.from({ length: 14 }, (_, i) => (i % 7 < 5 ? 1 : 0)), [2, 7]);
      const h = tf.forward(ids, mask);
      expect(h.shape).toEqual([2, 7, 16]);
      const logits = tf.logits(h);
      expect(logits.shape).toEqual([2, 7, 11]);
      logits.square().mean().backward();
      expect(tf.tok.weight.grad?.shape).toEqual([11, 16]);
      expect(Number.isFinite((await logits.data())[0])).toBe(true);
    }
    const tf = new Transformer(new Init(5), { vocab: 11, maxLen: 4, dim: 8, heads: 2, layers: 1, causal: true });
    expect(() => tf.forward(tensor(new Int32Array(10), [2, 5]))).toThrow(/sequence length 5 exceeds maxLen 4/);
  });

  it('a KV cache gives the hidden states of full recomputation (prefill, then one token at a time)', async () => {
    for (const positions of ['learned', 'sinusoidal'] as const) {
      const cfg = { vocab: 13, maxLen: 40, dim: 32, heads: 4, layers: 3, causal: true, positions };
      const tf = new Transformer(new Init(7), cfg);
      tf.eval();
      const t = 37;
      const idsHost = Int32Array.from({ length: 2 * t }, (_, i) => (i * 7 + 3) % 13);
      const full = await tf.forward(tensor(idsHost, [2, t])).data(); // (2, T, C)
      const cache = new KvCache(cfg, 2);
      const row = (lo: number, hi: number) => Int32Array.from({ length: 2 * (hi - lo) }, (_, i) => idsHost[Math.floor(i / (hi - lo)) * t + lo + (i % (hi - lo))]);
      const steps: [number, number][] = [[0, 5], ...Array.from({ length: t - 5 }, (_, i): [number, number] => [5 + i, 6 + i])];
      for (const [lo, hi] of steps) {
        const h = await tf.forwardCached(tensor(row(lo, hi), [2, hi - lo]), cache).data(); // (2, n, C)
        let err = 0;
        for (let b = 0; b < 2; b++)
          for (let p = lo; p < hi; p++)
            for (let c = 0; c < 32; c++) err = Math.max(err, Math.abs(h[(b * (hi - lo) + p - lo) * 32 + c] - full[(b * t + p) * 32 + c]));
        expect(err, `${positions}, positions [${lo}, ${hi})`).toBeLessThan(2e-5);
      }
      expect(cache.length).toBe(t);
      expect(() => tf.forwardCached(tensor(new Int32Array(8), [2, 4]), cache)).toThrow(/positions up to 41 exceed the cache's 40/);
      cache.dispose();
    }
  });

  it('meanPool averages the kept tokens only', async () => {
    const h = tensor(Float32Array.from({ length: 2 * 3 * 2 }, (_, i) => i), [2, 3, 2]);
    const keep = tensor(Float32Array.from([1, 1, 0, 1, 0, 0]), [2, 3]);
    expect(Array.from(await meanPool(h, keep).data())).toEqual([1, 2, 6, 7]);
  });
});
