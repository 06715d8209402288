// A text hybrid: masked LM plus SimCSE (Gao et al. 2021) on one encoder. SimCSE encodes each entry
// twice; dropout makes the two pooled embeddings differ, they are each other's positive and the
// batch's other entries are negatives (InfoNCE on the fused kernel, τ = 0.05).
import { arange, infonce } from '@pretext/core';
import type { TokenBatch } from '@pretext/data';
import { Init } from '@pretext/models';
import { embeddingStd } from './metrics.js';
import { checkMlm, MLM_PRESETS, mlmObjective, mlmOptions } from './mlm.js';
import { type Objective, trainObjectives } from './objective.js';
import { type ConfigOf, num, OptionError } from './options.js';
import { defineTask } from './task.js';
import { deviceBatch, type TextEncoder, textEncoder, textEncoderOptions } from './text-encoder.js';
import { trainingOptions } from './training-options.js';

export const simcseOptions = {
  tau: num('temperature τ of the SimCSE InfoNCE', 0.05, { above: 0, max: 10 }),
  simcseWeight: num('weight of the SimCSE loss next to the masked-LM loss (weight 1)', 1, { min: 0, max: 100 }),
};
export type SimcseObjectiveConfig = ConfigOf<typeof simcseOptions>;

/** InfoNCE between two dropout views of each entry's pooled embedding. */
export function simcseObjective(cfg: SimcseObjectiveConfig, encoder: TextEncoder): Objective<'text'> {
  return {
    name: 'simcse',
    heads: {},
    loss(batch: TokenBatch) {
      const n = batch.shape[0];
      const x = deviceBatch(batch);
      // 1. two passes of the clean entries: each draws its own dropout masks   (B, C) twice
      const z1 = encoder.pooled(x);
      const z2 = encoder.pooled(x);
      // 2. InfoNCE: the positive of z1_i is z2_i, the batch's other z2 are negatives
      const { loss, accuracy } = infonce(z1, z2, arange(n, undefined, 1, { dtype: 'i32' }), { tau: cfg.tau });
      return { loss, metrics: { accuracy, embeddingStd: embeddingStd(z1) } };
    },
  };
}

/** The masked LM's checks, and dropout: with none, SimCSE's two views are one view and its loss teaches nothing. */
export function checkMlmSimcse(cfg: Parameters<typeof checkMlm>[0] & SimcseObjectiveConfig): void {
  checkMlm(cfg);
  if (cfg.simcseWeight > 0 && cfg.dropout === 0) throw new OptionError('--dropout 0 leaves SimCSE two identical views; mlm-simcse needs --dropout > 0 (SimCSE: 0.1) or --simcse-weight 0');
}

export const mlmSimcse = defineTask({
  id: 'mlm-simcse',
  summary: 'Masked LM + SimCSE (two dropout views of an entry are positives, InfoNCE kernel), one shared encoder',
  modality: 'text',
  options: { ...trainingOptions, ...textEncoderOptions, ...mlmOptions, ...simcseOptions },
  presets: { fortunes: { quick: { ...MLM_PRESETS.fortunes.quick, dropout: 0.1 }, full: { ...MLM_PRESETS.fortunes.full, dropout: 0.1 } } },
  check: checkMlmSimcse,
  encoder: (cfg, data, init) => textEncoder(cfg, data, init, false),
  build(cfg, data) {
    const init = new Init(cfg.seed);
    const encoder = textEncoder(cfg, data, init, false);
    return trainObjectives(cfg, encoder, [
      { objective: mlmObjective(cfg, encoder, data), weight: 1 },
      { objective: simcseObjective(cfg, encoder), weight: cfg.simcseWeight },
    ]);
  },
});
