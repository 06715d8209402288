// The ONNX export run by onnxruntime-node (CPU) against our own forward on the same inputs.
import { noGrad, tensor, useWebGpu } from '@pretext/core';
import { absErr, randn, randu } from '@pretext/gpu/testing';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConvNet, exportOnnx, Init, MLP, Module, torchName, torchStateDict } from '../index.js';

/** A module no emitter knows. */
class Squash extends Module {}

beforeAll(async () => {
  await useWebGpu();
});

/** Running statistics away from (0, 1), so evaluation-mode batch norm does something to check. */
function randomizeBuffers(m: Module, seed: number): void {
  m.namedBuffers().forEach(([name, t], i) => {
    const v = name.endsWith('runningVar') ? randu(t.size, seed + i, 0.2, 2) : randn(t.size, seed + i, 0.3);
    t.backend.write(t.storage, v);
  });
}

async function ours(m: Module & { forward(x: ReturnType<typeof tensor>): ReturnType<typeof tensor> }, x: Float32Array, shape: number[]): Promise<Float32Array> {
  m.eval();
  const y = noGrad(() => m.forward(tensor(x, shape)));
  const out = (await y.data()) as Float32Array;
  y.dispose();
  return out;
}

async function runOrt(model: Uint8Array, x: Float32Array, shape: number[]): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(model, { executionProviders: ['cpu'] });
  try {
    const out = await session.run({ images: new ort.Tensor('float32', x, shape) });
    const y = out.features;
    return { data: y.data as Float32Array, dims: y.dims };
  } finally {
    await session.release();
  }
}

describe('ONNX export', () => {
  // awkward sizes: odd sides (max pool floors), grid windows that overlap, a downsampled colour input
  const cases = [
    { name: 'gray 28×28, global pool', c: 1, h: 28, w: 28, width: 4, grid: 1, downsample: 1, n: 5 },
    { name: 'gray 30×26, grid 2', c: 1, h: 30, w: 26, width: 3, grid: 2, downsample: 1, n: 3 },
    { name: 'colour 64×64 downsample 2, grid 3', c: 3, h: 64, w: 64, width: 4, grid: 3, downsample: 2, n: 2 },
  ];
  for (const k of cases) {
    it(`ConvNet ${k.name}: onnxruntime-node within 1e-4 of our forward`, async () => {
      const net = new ConvNet(new Init(11), k.c, k.width, { grid: k.grid, downsample: k.downsample });
      randomizeBuffers(net, 5);
      const shape = [k.n, k.c, k.h, k.w];
      const x = randu(shape.reduce((a, b) => a * b), 17);
      const want = await ours(net, x, shape);
      const model = await exportOnnx(net, { input: [k.c, k.h, k.w], opset: 17 });
      const got = await runOrt(model, x, shape);
      expect(got.dims).toEqual([k.n, net.featureDim]);
      const err = absErr(got.data, want);
      expect(err).toBeLessThan(1e-4);
      expect(Math.max(...want.map(Math.abs))).toBeGreaterThan(0.05); // not vacuous: features are not all ~0
      net.dispose();
    });
  }

  it('an MLP head (Linear, BatchNorm1d + ReLU) exports too, at opset 21', async () => {
    const head = new MLP(new Init(4), [12, 9, 5], { batchNorm: true });
    randomizeBuffers(head, 9);
    const x = randn(7 * 12, 3);
    const want = await ours(head, x, [7, 12]);
    const session = await ort.InferenceSession.create(await exportOnnx(head, { input: [12], opset: 21 }));
    const got = (await session.run({ images: new ort.Tensor('float32', x, [7, 12]) })).features.data as Float32Array;
    await session.release();
    expect(absErr(got, want)).toBeLessThan(1e-4);
    head.dispose();
  });

  it('names weights as PyTorch does, in ONNX and in the state dict', async () => {
    expect(torchName('blocks.0.bn.runningMean')).toBe('blocks.0.bn.running_mean');
    expect(torchName('weight')).toBe('weight');
    const net = new ConvNet(new Init(1), 1, 2);
    const sd = await torchStateDict(net);
    expect([...sd.keys()]).toContain('blocks.2.bn.running_var');
    expect([...sd.keys()]).toContain('blocks.0.conv.weight');
    expect(sd.get('blocks.0.conv.weight')?.shape).toEqual([2, 1, 3, 3]);
    net.dispose();
  });

  it('refuses a module it has no emitter for, naming it, and an opset it does not write', async () => {
    const odd = new Squash();
    await expect(exportOnnx(odd, { input: [8] })).rejects.toThrow(/no emitter for module Squash; exportable: Conv2d, BatchNorm, Linear, MLP, ConvBlock, ConvNet, LayerNorm, Embedding, SelfAttention, Block, Transformer/);
    const net = new ConvNet(new Init(1), 1, 2);
    await expect(exportOnnx(net, { input: [1, 28, 28], opset: 16 })).rejects.toThrow(/opset 16 is not one we write; valid: 17, 18, 19, 20, 21/);
    net.dispose();
  });
});
