// Transformer encoder (bidirectional, padding mask: masked LM) and decoder (causal: next-token LM),
// pre-norm blocks as in GPT-2, learned or sinusoidal positions.
import { add, assignAt, attention, div, gelu, mul, reshape, slice, sum, type Tensor, tensor, transpose, zeros } from '@pretext/core';
import { Dropout, Embedding, LayerNorm, Linear } from './layers.js';
import { type Init, Module } from './module.js';

export interface TransformerConfig {
  vocab: number;
  maxLen: number;
  dim: number;
  heads: number;
  layers: number;
  /** 'learned' (GPT-2) or 'sinusoidal' (Vaswani et al.). */
  positions?: 'learned' | 'sinusoidal';
  dropout?: number;
  causal: boolean;
}

export class SelfAttention extends Module {
  qkv: Linear;
  proj: Linear;
  constructor(init: Init, readonly dim: number, readonly heads: number, readonly causal: boolean) {
    super();
    if (dim % heads) throw new Error(`SelfAttention: dim ${dim} is not divisible by heads ${heads}`);
    this.qkv = new Linear(init, dim, 3 * dim);
    this.proj = new Linear(init, dim, dim);
  }
  /** x (B, T, C), mask: key padding (B, T) i32 1 = keep */
  forward(x: Tensor, mask?: Tensor): Tensor {
    const [b, t, c] = x.shape;
    const hd = c / this.heads;
    const qkv = reshape(this.qkv.forward(x), [b, t, 3, this.heads, hd]); // (B, T, 3, nh, hs)
    const split = (i: number) => transpose(reshape(sliceAxis(qkv, 2, i), [b, t, this.heads, hd]), 1, 2); // (B, nh, T, hs)
    const y = attention(split(0), split(1), split(2), { causal: this.causal, mask }); // (B, nh, T, hs)
    return this.proj.forward(reshape(transpose(y, 1, 2), [b, t, c])); // (B, T, C)
  }

  /**
   * x (B, n, C) at positions [start, start + n): their keys and values go into the cache at those
   * positions, their queries attend to cache positions ≤ their own (causal, offset = start).
   */
  forwardCached(x: Tensor, cache: { k: Tensor; v: Tensor }, start: number): Tensor {
    const [b, n, c] = x.shape;
    const hd = c / this.heads;
    const qkv = reshape(this.qkv.forward(x), [b, n, 3, this.heads, hd]); // (B, n, 3, nh, hs)
    const split = (i: number) => transpose(reshape(sliceAxis(qkv, 2, i), [b, n, this.heads, hd]), 1, 2); // (B, nh, n, hs)
    assignAt(cache.k, 2, start, split(1)); // cache (B, nh, Tmax, hs)
    assignAt(cache.v, 2, start, split(2));
    // keys past start + n are not filled yet: the causal offset hides them from every query
    const y = attention(split(0), cache.k, cache.v, { causal: true, causalOffset: start }); // (B, nh, n, hs)
    return this.proj.forward(reshape(transpose(y, 1, 2), [b, n, c])); // (B, n, C)
  }
}


const sliceAxis = (x: Tensor, axis: number, i: number): Tensor => slice(x, axis, i, i + 1);

export class Block extends Module {
  ln1: LayerNorm;
  attn: SelfAttention;
  ln2: LayerNorm;
  fc: Linear;
  out: Linear;
  drop: Dropout;
  constructor(init: Init, cfg: TransformerConfig, seed: number) {
    super();
    this.ln1 = new LayerNorm(init, cfg.dim);
    this.attn = new SelfAttention(init, cfg.dim, cfg.heads, cfg.causal);
    this.ln2 = new LayerNorm(init, cfg.dim);
    this.fc = new Linear(init, cfg.dim, 4 * cfg.dim);
    this.out = new Linear(init, 4 * cfg.dim, cfg.dim);
    this.drop = new Dropout(cfg.dropout ?? 0, seed);
  }
  forward(x: Tensor, mask?: Tensor): Tensor {
    const h = add(x, this.drop.forward(this.attn.forward(this.ln1.forward(x), mask)));
    return this.mlp(h);
  }
  forwardCached(x: Tensor, cache: { k: Tensor; v: Tensor }, start: number): Tensor {
    return this.mlp(add(x, this.drop.forward(this.attn.forwardCached(this.ln1.forward(x), cache, start))));
  }
  private mlp(h: Tensor): Tensor {
    return add(h, this.drop.forward(this.out.forward(gelu(this.fc.forward(this.ln2.forward(h))))));
  }
}

/** Keys and values of every layer for Tmax positions: (B, nh, Tmax, hs) each; `length` positions are filled. */
export class KvCache {
  readonly k: Tensor[];
  readonly v: Tensor[];
  length = 0;
  constructor(readonly cfg: TransformerConfig, readonly batch: number, readonly maxLen = cfg.maxLen) {
    const shape = [batch, cfg.heads, maxLen, cfg.dim / cfg.heads];
    this.k = Array.from({ length: cfg.layers }, () => zeros(shape));
    this.v = Array.from({ length: cfg.layers }, () => zeros(shape));
  }
  dispose(): void {
    for (const t of [...this.k, ...this.v]) t.dispose();
  }
}

/** Token + position embedding → blocks → final LayerNorm → (B, T, C); `logits()` ties the LM head to the embedding. */
export class Transformer extends Module {
  tok: Embedding;
  pos?: Embedding;
  blocks: Block[];
  lnf: LayerNorm;
  constructor(init: Init, readonly cfg: TransformerConfig) {
    super();
    this.tok = new Embedding(init, cfg.vocab, cfg.dim, 0.02);
    if ((cfg.positions ?? 'learned') === 'learned') this.pos = new Embedding(init, cfg.maxLen, cfg.dim, 0.02);
    else this.buffers.sinusoid = sinusoidal(cfg.maxLen, cfg.dim);
    this.blocks = Array.from({ length: cfg.layers }, (_, i) => new Block(init, cfg, init.seed + 1000 * (i + 1)));
    this.lnf = new LayerNorm(init, cfg.dim);
  }
  /** ids (B, T) i32, mask (B, T) i32 key padding (1 = token) → (B, T, C) */
  forward(ids: Tensor, mask?: Tensor): Tensor {
    const [, t] = ids.shape;
    if (t > this.cfg.maxLen) throw new Error(`Transformer: sequence length ${t} exceeds maxLen ${this.cfg.maxLen}`);
    const positions = tensor(Int32Array.from({ length: t }, (_, i) => i), [t]);
    const pe = this.pos ? this.pos.forward(positions) : slice(this.buffers.sinusoid, 0, 0, t);
    let h = add(this.tok.forward(ids), pe); // (B, T, C)
    for (const b of this.blocks) h = b.forward(h, mask);
    return this.lnf.forward(h);
  }

  /**
   * A causal model's next positions with keys and values cached: ids (B, n) at positions
   * [cache.length, cache.length + n) → hidden (B, n, C); each new token costs one step, not the prefix.
   */
  forwardCached(ids: Tensor, cache: KvCache): Tensor {
    if (!this.cfg.causal) throw new Error('Transformer.forwardCached: a KV cache needs a causal model (next-token LM)');
    const [b, n] = ids.shape;
    const start = cache.length;
    if (b !== cache.batch) throw new Error(`Transformer.forwardCached: batch ${b} differs from the cache's ${cache.batch}`);
    if (start + n > cache.maxLen) throw new Error(`Transformer.forwardCached: positions up to ${start + n} exceed the cache's ${cache.maxLen}`);
    const positions = tensor(Int32Array.from({ length: n }, (_, i) => start + i), [n]);
    const pe = this.pos ? this.pos.forward(positions) : slice(this.buffers.sinusoid, 0, start, start + n);
    let h = add(this.tok.forward(ids), pe); // (B, n, C)
    this.blocks.forEach((blk, l) => {
      h = blk.forwardCached(h, { k: cache.k[l], v: cache.v[l] }, start);
    });
    cache.length = start + n;
    return this.lnf.forward(h);
  }
  /** hidden (B, T, C) → logits (B, T, vocab), weights tied to the token embedding */
  logits(h: Tensor): Tensor {
    const [b, t, c] = h.shape;
    return reshape(reshape(h, [b * t, c]).matmul(this.tok.weight, { transB: true }), [b, t, this.cfg.vocab]);
  }
}

/** Mean of hidden states h (B, T, C) over the tokens where keep (B, T) f32 is 1 → (B, C). */
export function meanPool(h: Tensor, keep: Tensor): Tensor {
  const [b, t] = keep.shape;
  const w = reshape(keep, [b, t, 1]);
  return div(sum(mul(h, w), 1), sum(w, 1)); // (B, C) / (B, 1)
}

/** PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(…) — (maxLen, dim), not trained. */
export function sinusoidal(maxLen: number, dim: number): Tensor {
  const pe = new Float32Array(maxLen * dim);
  for (let p = 0; p < maxLen; p++) {
    for (let i = 0; i < dim; i += 2) {
      const a = p / 10000 ** (i / dim);
      pe[p * dim + i] = Math.sin(a);
      if (i + 1 < dim) pe[p * dim + i + 1] = Math.cos(a);
    }
  }
  return tensor(pe, [maxLen, dim]);
}
