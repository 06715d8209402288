// Our masked-LM step on the Transformer encoder (bidirectional, key padding mask): token +
// learned position embeddings → pre-norm blocks → final LayerNorm → tied LM head → cross-entropy
// on the masked positions only (ignoreIndex) → backward → one fused AdamW update. No readback.
import { adamw, crossEntropy, keep, reshape, type Tensor, tensor, tidy } from '@pretext/core';
import { Init, Transformer, type TransformerConfig } from '@pretext/models';
import { probeGrads } from './backend.js';
import { IGNORE, type MlmBatch } from './mlm-batch.js';

export interface EncoderShape {
  layers: number;
  dim: number;
  heads: number;
  vocab: number;
}

export const LR = 1e-3;
export const WEIGHT_DECAY = 0.01;

export function transformerStep(shape: EncoderShape, batch: MlmBatch, seed = 0) {
  const { b, t } = batch;
  const cfg: TransformerConfig = { vocab: shape.vocab, maxLen: t, dim: shape.dim, heads: shape.heads, layers: shape.layers, causal: false, dropout: 0 };
  const model = new Transformer(new Init(seed), cfg);
  const named = model.namedParameters('model');
  const optimizer = adamw(named, { lr: LR, weightDecay: WEIGHT_DECAY });
  const ids = keep(tensor(batch.ids, [b, t])); // (B, T) i32
  const mask = keep(tensor(batch.keep, [b, t])); // (B, T) i32, 1 = token
  const targets = keep(tensor(batch.targets, [b * t])); // (B·T) i32

  const lossOf = (): Tensor => {
    const logits = model.logits(model.forward(ids, mask)); // (B, T, vocab)
    return crossEntropy(reshape(logits, [b * t, shape.vocab]), targets, { ignoreIndex: IGNORE });
  };

  return {
    step: () =>
      tidy(() => {
        lossOf().backward();
        optimizer.update();
      }),
    probe: () => probeGrads('transformer step', named, optimizer, lossOf),
    params: async () => Float32Array.from(await optimizer.arena.backend.download(optimizer.arena.flat)),
    dispose() {
      for (const x of [ids, mask, targets]) x.dispose();
      model.dispose();
      optimizer.dispose();
    },
  };
}
