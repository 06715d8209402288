// The runner of image tasks: Fashion-MNIST or emoji splits, seeded image batches, the vision
// evaluation protocols (evaluation.ts) and figures (figures.ts).
import { ImageLoader } from '@pretext/data';
import { loadSplits, type TaskConfig } from '@pretext/tasks';
import { evaluateRun, pretextOnTest } from './evaluation.js';
import { writeFigures } from './figures.js';
import { writePretextFigures } from './pretext-figures.js';
import { batchTooLarge } from './batch-check.js';
import type { Runner } from './runner.js';

/** The quick presets evaluate on a test subset; `testLimit` overrides. */
export function testLimitOf(cfg: TaskConfig): number | undefined {
  return cfg.testLimit ?? (cfg.preset === 'quick' ? 2000 : undefined);
}

export const imageRunner: Runner<'image'> = {
  unit: 'images',
  load: (cfg) => loadSplits(cfg.dataset, { trainLimit: cfg.trainLimit, testLimit: testLimitOf(cfg), folder: cfg.folder }),
  train: (splits) => splits.train,
  loader: (train, cfg) => {
    if (train.shape[0] < cfg.batchSize) throw batchTooLarge(cfg, `${train.name}: ${train.shape[0]} images`);
    return new ImageLoader(train, cfg.batchSize, { seed: cfg.seed });
  },
  itemsPerStep: (cfg) => cfg.batchSize,
  describe: (splits, loader, cfg) =>
    `${splits.train.name}: ${splits.train.shape[0]} images [${splits.train.shape.slice(1).join('×')}], ${loader.batchesPerEpoch} batches of ${cfg.batchSize} per epoch; test ${splits.test.shape[0]}${(splits.notes ?? []).map((n) => `\nnote      ${n}`).join('')}`,
  evaluate: async (task, cfg, state, splits, settings, log) => {
    const t0 = performance.now();
    const pretext = await pretextOnTest(cfg, state, splits.test, log);
    const ev = await evaluateRun(task, cfg, state.encoder, splits, settings, log);
    return { ...ev, pretext, seconds: (performance.now() - t0) / 1000 };
  },
  figures: async (dir, task, cfg, state, splits, opts) => ({ ...(await writeFigures(dir, task, cfg, state.encoder, splits, opts)), pretext: await writePretextFigures(dir, state, splits.test, cfg.seed) }),
};
