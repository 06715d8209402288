// Masked language modelling (BERT; Devlin et al. 2019): 15% of the non-special tokens are chosen,
// of those 80% become [MASK], 10% a random token and 10% stay, redrawn for every batch on the GPU
// (mlmMask); a bidirectional Transformer with the padding mask in attention predicts the original
// tokens at the chosen positions only (the others' targets are the ignore index).
import { classification, mlmMask, reshape } from '@pretext/core';
import { MASK, NUM_SPECIAL, type TokenBatch, type TokenCorpus } from '@pretext/data';
import { Init } from '@pretext/models';
import { type Objective, trainObjectives } from './objective.js';
import { type ConfigOf, num, OptionError } from './options.js';
import { defineTask, type StepContext } from './task.js';
import { checkTextEncoder, deviceBatch, type TextEncoder, type TextEncoderConfig, textEncoder, textEncoderOptions } from './text-encoder.js';
import { trainingOptions } from './training-options.js';

export const mlmOptions = {
  maskRate: num('share of the non-special tokens chosen for prediction (BERT: 0.15; of those 80% [MASK], 10% random, 10% kept)', 0.15, { above: 0, max: 1 }),
};
export type MlmObjectiveConfig = ConfigOf<typeof mlmOptions>;

/** Cross-entropy of the original token at the chosen positions; the LM head is the tied embedding (as BERT). */
export function mlmObjective(cfg: MlmObjectiveConfig, encoder: TextEncoder, data: TokenCorpus): Objective<'text'> {
  const vocab = data.tokenizer.vocabSize;
  return {
    name: 'mlm',
    heads: {},
    loss(batch: TokenBatch, ctx: StepContext) {
      const [b, t] = batch.shape;
      const x = deviceBatch(batch);
      // 1. corrupt the batch on the GPU, seeded by the step: inputs (B, T), targets (B·T) (−100 where not chosen)
      const { inputs, targets } = mlmMask(x.ids, { vocab, special: NUM_SPECIAL, maskId: MASK, rate: cfg.maskRate, seed: ctx.seed });
      // 2. bidirectional encoder, padding masked in attention   (B, T, C)
      const h = encoder.forward({ ...x, ids: inputs });
      // 3. tied LM head and cross-entropy on the chosen positions only   (B·T, V)
      const { loss, accuracy } = classification(reshape(encoder.net.logits(h), [b * t, vocab]), targets);
      return { loss, metrics: { accuracy } };
    },
  };
}

/** The encoder's checks, and the masking kernel's exact quotas: batch × context tokens below 65536. */
export function checkMlm(cfg: TextEncoderConfig & { batchSize: number }): void {
  checkTextEncoder(cfg);
  if (cfg.batchSize * cfg.context >= 65536) throw new OptionError(`--batch-size ${cfg.batchSize} × --context ${cfg.context} = ${cfg.batchSize * cfg.context} tokens; masking takes fewer than 65536 per batch`);
}

/**
 * The fortunes presets of the masked LMs; mlm-simcse's add dropout 0.1 (its two views differ by dropout).
 * No dropout for the plain MLM: on the full preset its loss through 336 steps matched dropout 0.1's within
 * 0.01 nats (50-step means), so dropout only cost time. lr 2e-3: at step 300 its loss was 0.09 nats below
 * a 1e-3 run's (that run's cosine ended at step 300, so the comparison is indicative, not controlled).
 */
export const MLM_PRESETS = {
  fortunes: {
    quick: { epochs: 2, batchSize: 32, trainLimit: 3000, testLimit: 500, context: 128, layers: 2, heads: 2, dim: 64, dropout: 0, lr: 2e-3, weightDecay: 0.01, warmupSteps: 20, probeEpochs: 10 },
    full: { epochs: 6, batchSize: 32, context: 128, layers: 4, heads: 4, dim: 128, dropout: 0, lr: 2e-3, weightDecay: 0.01, warmupSteps: 100, probeEpochs: 20 },
  },
};

export const mlm = defineTask({
  id: 'mlm',
  summary: 'Masked LM (BERT): 15% of tokens chosen on the GPU (80% [MASK] / 10% random / 10% kept), bidirectional Transformer',
  modality: 'text',
  options: { ...trainingOptions, ...textEncoderOptions, ...mlmOptions },
  presets: MLM_PRESETS,
  check: checkMlm,
  encoder: (cfg, data, init) => textEncoder(cfg, data, init, false),
  build(cfg, data) {
    const init = new Init(cfg.seed);
    const encoder = textEncoder(cfg, data, init, false);
    return trainObjectives(cfg, encoder, [{ objective: mlmObjective(cfg, encoder, data), weight: 1 }]);
  },
});
