// The language models' ONNX export run by onnxruntime-node (CPU) against our forward in
// evaluation mode: causal and bidirectional Transformers, learned and sinusoidal positions, tied
// and untied heads, the composed GELU (opset < 20) and the Gelu op (≥ 20), sequence lengths 1, 7
// and the full context, padding down to a row of padding only.
import { noGrad, type Tensor, tensor, useWebGpu } from '@pretext/core';
import { absErr, randn, randu } from '@pretext/gpu/testing';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { Block, exportLanguageModelOnnx, exportOnnx, Init, Linear, LM_NAMES, meanPool, SelfAttention, Transformer, type TransformerConfig } from '../index.js';

beforeAll(async () => {
  await useWebGpu();
});

const CTX = 13;
const base: TransformerConfig = { vocab: 29, maxLen: CTX, dim: 24, heads: 3, layers: 2, causal: true, dropout: 0.1 };

/**
 * A model whose every weight matters: embeddings of std 0.5 (logits of a few units), layer norms
 * away from (1, 0), and an MLP whose GELU sees inputs of std ≈ 2, where the tanh and erf forms
 * differ most (a graph computing the other form misses 1e-4 several times over).
 */
function model(cfg: TransformerConfig, seed: number): Transformer {
  const net = new Transformer(new Init(seed), cfg);
  const std = (name: string) => (/^(tok|pos)\./.test(name) ? 0.5 : /\.fc\.weight$/.test(name) ? 2 / Math.sqrt(cfg.dim) : /\.out\.weight$/.test(name) ? 1 : 0);
  [...net.stateDict()].forEach(([name, t], i) => {
    const v = /ln.*\.weight$/.test(name) ? randu(t.size, seed + i, 0.5, 1.5) : /ln.*\.bias$/.test(name) ? randn(t.size, seed + i, 0.2) : std(name) ? randn(t.size, seed + i, std(name)) : null;
    if (v) t.backend.write(t.storage, v);
  });
  return net.eval();
}

function ids(n: number, t: number, vocab: number, seed: number): Int32Array {
  return Int32Array.from(randu(n * t, seed, 0, vocab), Math.floor);
}

/** Our logits (and pooled features when a mask is given) on the same inputs. */
async function ours(net: Transformer, head: Linear | undefined, x: Int32Array, shape: [number, number], keep?: Int32Array): Promise<{ logits: Float32Array; features?: Float32Array }> {
  const read = async (y: Tensor) => {
    const d = (await y.data()) as Float32Array;
    y.dispose();
    return d;
  };
  const h = noGrad(() => net.forward(tensor(x, shape), keep && tensor(keep, shape)));
  const logits = await read(noGrad(() => (head ? head.forward(h) : net.logits(h))));
  const features = keep ? await read(noGrad(() => meanPool(h, tensor(Float32Array.from(keep), shape)))) : undefined;
  h.dispose();
  return { logits, features };
}

async function runOrt(session: ort.InferenceSession, x: Int32Array, shape: [number, number], keep?: Int32Array) {
  const feeds: Record<string, ort.Tensor> = { [LM_NAMES.ids]: new ort.Tensor('int64', BigInt64Array.from(x, BigInt), shape) };
  if (keep) feeds[LM_NAMES.mask] = new ort.Tensor('int64', BigInt64Array.from(keep, BigInt), shape);
  const out = await session.run(feeds);
  return { logits: out[LM_NAMES.logits], features: out[LM_NAMES.features] };
}

describe('ONNX export of language models', () => {
  it('GPT (causal, learned positions, tied head), opset 17: T = 1, 7 and the context within 1e-4', async () => {
    const net = model(base, 3);
    const session = await ort.InferenceSession.create(await exportLanguageModelOnnx(net, { opset: 17 }));
    expect(session.inputNames).toEqual([LM_NAMES.ids]);
    expect(session.outputNames).toEqual([LM_NAMES.logits]);
    for (const [n, t] of [[2, 1], [3, 7], [2, CTX]] as [number, number][]) {
      const x = ids(n, t, base.vocab, 10 + t);
      const want = await ours(net, undefined, x, [n, t]);
      const got = await runOrt(session, x, [n, t]);
      expect(got.logits.dims).toEqual([n, t, base.vocab]);
      expect(absErr(got.logits.data as Float32Array, want.logits), `T = ${t}`).toBeLessThan(1e-4);
      expect(Math.max(...want.logits.map(Math.abs))).toBeGreaterThan(0.5); // not vacuous
    }
    // causal: a later token does not change an earlier position's logits
    const x = ids(1, 7, base.vocab, 5);
    const y = ids(1, 7, base.vocab, 6).map((v, i) => (i < 4 ? x[i] : v));
    const [a, b] = [(await runOrt(session, x, [1, 7])).logits.data, (await runOrt(session, y, [1, 7])).logits.data] as Float32Array[];
    expect(absErr(a.subarray(0, 4 * base.vocab), b.subarray(0, 4 * base.vocab))).toBeLessThan(1e-6);
    expect(absErr(a, b)).toBeGreaterThan(1e-3);
    await session.release();
    net.dispose();
  });

  it('GPT with an untied head (bias too), opset 20 (the Gelu op) and 21', async () => {
    const net = model({ ...base, layers: 1 }, 4);
    const head = new Linear(new Init(8), base.dim, base.vocab);
    for (const opset of [20, 21]) {
      const session = await ort.InferenceSession.create(await exportLanguageModelOnnx(net, { opset, head }));
      const x = ids(3, 9, base.vocab, opset);
      const want = await ours(net, head, x, [3, 9]);
      const got = await runOrt(session, x, [3, 9]);
      expect(absErr(got.logits.data as Float32Array, want.logits), `opset ${opset}`).toBeLessThan(1e-4);
      await session.release();
    }
    net.dispose();
    head.dispose();
  });

  it('masked LM (bidirectional, sinusoidal, padding mask), opset 18: logits and pooled features within 1e-4', async () => {
    const cfg: TransformerConfig = { ...base, causal: false, positions: 'sinusoidal' };
    const net = model(cfg, 5);
    const session = await ort.InferenceSession.create(await exportLanguageModelOnnx(net, { opset: 18 }));
    expect(session.inputNames).toEqual([LM_NAMES.ids, LM_NAMES.mask]);
    expect(session.outputNames).toEqual([LM_NAMES.logits, LM_NAMES.features]);
    for (const [n, t] of [[2, 1], [4, 7], [3, CTX]] as [number, number][]) {
      // row r keeps its first max(1, t − r) tokens (row 0 none padded; at T = 7 row 3 keeps 4)
      const keep = Int32Array.from({ length: n * t }, (_, i) => (i % t < Math.max(1, t - Math.floor(i / t)) ? 1 : 0));
      const x = ids(n, t, cfg.vocab, 20 + t);
      const want = await ours(net, undefined, x, [n, t], keep);
      const got = await runOrt(session, x, [n, t], keep);
      expect(absErr(got.logits.data as Float32Array, want.logits), `T = ${t}`).toBeLessThan(1e-4);
      expect(got.features.dims).toEqual([n, cfg.dim]);
      expect(absErr(got.features.data as Float32Array, want.features as Float32Array), `T = ${t}`).toBeLessThan(1e-4);
    }
    // a row of padding only: its attention attends to nothing (zeros, as our kernel), its mean is 0/0
    const keep = Int32Array.of(1, 1, 0, 0, 0, 0, 0, 0);
    const x = ids(2, 4, cfg.vocab, 30);
    const want = await ours(net, undefined, x, [2, 4], keep);
    const got = await runOrt(session, x, [2, 4], keep);
    expect(absErr(got.logits.data as Float32Array, want.logits)).toBeLessThan(1e-4);
    const f = got.features.data as Float32Array;
    expect(absErr(f.subarray(0, cfg.dim), (want.features as Float32Array).subarray(0, cfg.dim))).toBeLessThan(1e-4);
    expect([...f.subarray(cfg.dim)].every(Number.isNaN) && [...(want.features as Float32Array).subarray(cfg.dim)].every(Number.isNaN)).toBe(true);
    await session.release();
    net.dispose();
  });

  it('refuses what it cannot express: a causal attention outside its Transformer, an opset it does not write; ORT refuses T > context', async () => {
    const net = model(base, 6);
    await expect(exportLanguageModelOnnx(net, { opset: 16 })).rejects.toThrow(/opset 16 is not one we write; valid: 17, 18, 19, 20, 21/);
    const session = await ort.InferenceSession.create(await exportLanguageModelOnnx(net));
    await expect(runOrt(session, ids(1, CTX + 1, base.vocab, 1), [1, CTX + 1])).rejects.toThrow(/embed|positions/);
    await session.release();
    net.dispose();
    const attn = new SelfAttention(new Init(1), 8, 2, true);
    await expect(exportOnnx(attn, { input: [5, 8] })).rejects.toThrow(/a causal attention exports inside its Transformer/);
    const block = new Block(new Init(1), { ...base, dim: 8, heads: 2, causal: false }, 0);
    block.eval();
    const x = randn(2 * 5 * 8, 2);
    const want = (await noGrad(() => block.forward(tensor(x, [2, 5, 8]))).data()) as Float32Array;
    const s = await ort.InferenceSession.create(await exportOnnx(block, { input: [5, 8] }));
    const got = (await s.run({ images: new ort.Tensor('float32', x, [2, 5, 8]) })).features.data as Float32Array;
    expect(absErr(got, want)).toBeLessThan(1e-4); // a bidirectional block alone exports as it computes
    await s.release();
    attn.dispose();
    block.dispose();
  });
});
