// Next-token language modelling (GPT; Radford et al. 2018): a causal Transformer reads windows of
// the token stream and predicts each next token; cross-entropy over every position. The LM head is
// the token embedding transposed (weight tying, Press & Wolf 2017) or its own matrix.
import { classification, reshape, tensor } from '@pretext/core';
import type { TokenBatch, TokenCorpus } from '@pretext/data';
import { Init, Linear } from '@pretext/models';
import { type Objective, trainObjectives } from './objective.js';
import { bool, type ConfigOf, oneOf } from './options.js';
import { defineTask } from './task.js';
import { checkTextEncoder, deviceBatch, type TextEncoder, textEncoder, textEncoderOptions } from './text-encoder.js';
import { trainingOptions } from './training-options.js';

export const gptOptions = {
  tieWeights: bool('LM head = the token embedding transposed (weight tying)', true),
  packing: oneOf('batches: windows of the entries joined by [SEP] (stream), or one entry per row, padded', ['stream', 'entries'], 'stream'),
};
export type GptObjectiveConfig = ConfigOf<typeof gptOptions>;

/** Cross-entropy of the next token at every position. */
export function gptObjective(cfg: GptObjectiveConfig, encoder: TextEncoder, init: Init, data: TokenCorpus): Objective<'text'> {
  const vocab = data.tokenizer.vocabSize;
  const head = cfg.tieWeights ? null : new Linear(init, encoder.featureDim, vocab, { bias: false });
  return {
    name: 'gpt',
    heads: head ? { head } : {},
    loss(batch: TokenBatch) {
      const [b, t] = batch.shape;
      if (!batch.targets) throw new Error('gpt: the batch has no next-token targets (stream batches carry them)');
      // 1. hidden states of the causal model   (B, T) → (B, T, C)
      const h = encoder.forward(deviceBatch(batch));
      // 2. logits over the vocabulary, tied or not   (B, T, V)
      const logits = head ? head.forward(h) : encoder.net.logits(h);
      // 3. cross-entropy against the next tokens (padding targets are ignored)   (B·T, V) vs (B·T)
      const { loss, accuracy } = classification(reshape(logits, [b * t, vocab]), tensor(batch.targets));
      return { loss, metrics: { accuracy } };
    },
  };
}

/** Next-token targets for entry rows: the row shifted left, [PAD] positions ignored. */
export function entryTargets(batch: TokenBatch): TokenBatch {
  const [b, t] = batch.shape;
  const targets = new Int32Array(b * t).fill(-100);
  for (let r = 0; r < b; r++) for (let i = 0; i + 1 < t; i++) if (batch.keep[r * t + i + 1]) targets[r * t + i] = batch.ids[r * t + i + 1];
  return { ...batch, targets };
}

// full: nanoGPT's CPU size (4 layers, 4 heads, d = 128, context 64) on characters, no dropout.
// large: 6 layers and context 128 for a 90-minute run here: 1 500 steps of 32 × 128 tokens
// (2.7 epochs) reached 1.699 nats/char in 84.8 min wall at 0745a15 (training 68.9 min).
export const gpt = defineTask({
  id: 'gpt',
  summary: 'GPT: causal Transformer, next-token cross-entropy, weight tying; `pretext generate` samples from it',
  modality: 'text',
  options: { ...trainingOptions, ...textEncoderOptions, ...gptOptions },
  presets: {
    fortunes: {
      quick: { epochs: 1, batchSize: 32, trainLimit: 3000, testLimit: 500, context: 64, layers: 2, heads: 2, dim: 64, dropout: 0, lr: 2e-3, weightDecay: 0.1, warmupSteps: 20, probeEpochs: 10 },
      full: { epochs: 2, steps: 1700, batchSize: 32, context: 64, layers: 4, heads: 4, dim: 128, dropout: 0, lr: 2e-3, weightDecay: 0.1, warmupSteps: 100, probeEpochs: 20 },
      large: { epochs: 3, steps: 1500, batchSize: 32, context: 128, layers: 6, heads: 4, dim: 128, dropout: 0, lr: 2e-3, weightDecay: 0.1, warmupSteps: 100, probeEpochs: 20 },
    },
  },
  check: (cfg) => checkTextEncoder(cfg),
  encoder: (cfg, data, init) => textEncoder(cfg, data, init, true),
  build(cfg, data) {
    const init = new Init(cfg.seed);
    const encoder = textEncoder(cfg, data, init, true);
    return trainObjectives(cfg, encoder, [{ objective: gptObjective(cfg, encoder, init, data), weight: 1 }]);
  },
});
