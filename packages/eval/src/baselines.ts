// The same protocols on the reference points every number needs beside it: raw pixels, the
// backbone at its random initialisation (same factory, same seed, untrained) and the backbone
// trained supervised on the same labels.
import { type EvalData, type EvalProgress, type EvalReport, evaluate, type Protocols, rawPixels } from './evaluate.js';
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
  for (const w of which) {
    const progress = opts.progress;
    if (w === 'raw-pixels') out.push(await evaluate('raw pixels', rawPixels, data, protocols, { progress }));
    else if (w === 'random-init') {
      const enc = encoderFactory(new Init(opts.seed));
      try {
        out.push(await evaluate('random init', enc, data, protocols, { batchSize: opts.batchSize, progress }));
      } finally {
        enc.dispose();
      }
    } else if (w === 'supervised') {
      const t0 = performance.now();
      const { encoder, losses } = await trainSupervised(encoderFactory, data.train, { ...opts.supervised, seed: opts.seed });
      const trainSeconds = (performance.now() - t0) / 1000;
      progress?.('supervised', `training (${opts.supervised.epochs} epochs)`, trainSeconds);
      try {
        const r = await evaluate(`supervised (${opts.supervised.epochs} ep, final loss ${losses[losses.length - 1].toFixed(3)})`, encoder, data, protocols, { batchSize: opts.batchSize, progress });
        r.seconds.train = trainSeconds;
        out.push(r);
      } finally {
        encoder.dispose();
      }
    } else throw new Error(`baselines: unknown baseline '${w}' (valid: raw-pixels, random-init, supervised)`);
  }
  return out;
}
