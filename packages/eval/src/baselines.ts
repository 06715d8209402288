// The same protocols on the reference points every number needs beside it: raw pixels, the
// backbone at its random initialisation (same factory, same seed, untrained) and the backbone
// trained supervised on the same labels. Fine-tuning from the random init is training from
// scratch (the encoder at the head's learning rate); raw pixels have no network to fine-tune, and
// the supervised backbone has seen every label, so neither is fine-tuned.
import { type EvalData, type EvalProgress, type EvalReport, evaluate, type Protocols, rawPixels } from './evaluate.js';
import { SCRATCH } from './finetune.js';
import { type EncoderFactory, type SupervisedOptions, trainSupervised } from './supervised.js';
import { Init } from '@pretext/models';

export interface BaselineOptions {
  /** Init seed of the random encoder and the supervised run (use the SSL run's seed). */
  seed: number;
  supervised: Omit<SupervisedOptions, 'seed'>;
  /** Which baselines to run (default all three). */
  which?: readonly ('raw-pixels' | 'random-init' | 'supervised')[];
  batchSize?: number;
  progress?: EvalProgress;
}

export async function baselines(encoderFactory: EncoderFactory, data: EvalData, protocols: Protocols, opts: BaselineOptions): Promise<EvalReport[]> {
  const which = opts.which ?? ['raw-pixels', 'random-init', 'supervised'];
  const out: EvalReport[] = [];
  const frozen: Protocols = { ...protocols, fineTune: false };
  const ft = protocols.fineTune;
  const scratch: Protocols = { ...protocols, fineTune: ft ? { ...(ft === true ? {} : ft), ...SCRATCH } : false };
  for (const w of which) {
    const progress = opts.progress;
    if (w === 'raw-pixels') out.push({ ...(await evaluate('raw pixels', rawPixels, data, frozen, { progress })), baseline: w });
    else if (w === 'random-init') {
      const enc = encoderFactory(new Init(opts.seed));
      try {
        out.push({ ...(await evaluate('random init', enc, data, scratch, { batchSize: opts.batchSize, factory: encoderFactory, progress })), baseline: w });
      } finally {
        enc.dispose();
      }
    } else if (w === 'supervised') {
      const t0 = performance.now();
      const { encoder, losses } = await trainSupervised(encoderFactory, data.train, { ...opts.supervised, seed: opts.seed });
      const trainSeconds = (performance.now() - t0) / 1000;
      progress?.('supervised', `training (${opts.supervised.epochs} epochs)`, trainSeconds);
      try {
        const r = await evaluate(`supervised (${opts.supervised.epochs} ep, final loss ${losses[losses.length - 1].toFixed(3)})`, encoder, data, frozen, { batchSize: opts.batchSize, progress });
        r.seconds.train = trainSeconds;
        out.push({ ...r, baseline: w });
      } finally {
        encoder.dispose();
      }
    } else throw new Error(`baselines: unknown baseline '${w}' (valid: raw-pixels, random-init, supervised)`);
  }
  return out;
}
