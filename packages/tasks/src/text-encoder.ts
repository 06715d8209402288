// The Transformer encoder the language methods share, its options, and a token batch on the
// device: ids (B, T) and the key padding mask, as i32 for attention and f32 for pooling.
import { type Tensor, tensor } from '@pretext/core';
import type { TokenBatch, TokenCorpus } from '@pretext/data';
import { type Init, meanPool, Module, Transformer, type TransformerConfig } from '@pretext/models';
import { type ConfigOf, int, num, OptionError, oneOf } from './options.js';

export const textEncoderOptions = {
  tokenizer: oneOf('tokens: characters, or byte-level BPE trained on the training split', ['char', 'bpe'], 'char'),
  vocabSize: int('BPE vocabulary size (specials + 256 bytes + merges; char: ignored)', 2048, { min: 261, max: 65536 }),
  context: int('tokens per sequence (positions of the model)', 128, { min: 8, max: 1024 }),
  overflow: oneOf('an entry longer than the context: cut to the context, or refuse the data', ['truncate', 'reject'], 'truncate'),
  layers: int('Transformer blocks', 4, { min: 1, max: 48 }),
  heads: int('attention heads (dim must divide; head size ≤ 128)', 4, { min: 1, max: 64 }),
  dim: int('model width d', 128, { min: 8, max: 2048 }),
  dropout: num('dropout on the residual branches', 0.1, { min: 0, max: 0.9 }),
};
export type TextEncoderConfig = ConfigOf<typeof textEncoderOptions>;

/** Token ids → hidden states (B, T, C); pooled: the mean over real tokens (B, C), what evaluation probes. */
export class TextEncoder extends Module {
  net: Transformer;
  constructor(init: Init, readonly config: TransformerConfig) {
    super();
    this.net = new Transformer(init, config);
  }
  get featureDim(): number {
    return this.config.dim;
  }
  get causal(): boolean {
    return this.config.causal;
  }
  /** (B, T, C); the padding mask reaches attention (a causal model's padding follows its tokens and is never seen). */
  forward(x: DeviceBatch): Tensor {
    return this.net.forward(x.ids, this.config.causal ? undefined : x.keep);
  }
  pooled(x: DeviceBatch): Tensor {
    return meanPool(this.forward(x), x.weights);
  }
}

/** A token batch on the device. */
export interface DeviceBatch {
  /** (B, T) i32 */
  ids: Tensor;
  /** (B, T) i32, 1 = token */
  keep: Tensor;
  /** (B, T) f32, 1 = token (pooling weights) */
  weights: Tensor;
}

export function deviceBatch(b: TokenBatch): DeviceBatch {
  return { ids: tensor(b.ids, b.shape), keep: tensor(b.keep, b.shape), weights: tensor(Float32Array.from(b.keep), b.shape) };
}

export function textEncoder(cfg: TextEncoderConfig, data: TokenCorpus, init: Init, causal: boolean): TextEncoder {
  return new TextEncoder(init, { vocab: data.tokenizer.vocabSize, maxLen: cfg.context, dim: cfg.dim, heads: cfg.heads, layers: cfg.layers, dropout: cfg.dropout, causal });
}

/** Checks of the architecture that need more than one option: heads divide dim, head size within the attention kernel's. */
export function checkTextEncoder(cfg: TextEncoderConfig & { batchSize: number }): void {
  if (cfg.dim % cfg.heads !== 0) throw new OptionError(`--heads ${cfg.heads} must divide --dim ${cfg.dim}`);
  if (cfg.dim / cfg.heads > 128) throw new OptionError(`--dim ${cfg.dim} / --heads ${cfg.heads} = head size ${cfg.dim / cfg.heads}; the attention kernel takes at most 128 (more heads)`);
}
