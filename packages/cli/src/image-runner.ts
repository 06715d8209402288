// The runner of image tasks: Fashion-MNIST or emoji splits, seeded image batches, the vision
// evaluation protocols (evaluation.ts) and figures (figures.ts).
import { ImageLoader } from '@pretext/data';
import { loadSplits, type TaskConfig } from '@pretext/tasks';
import { evaluateRun } from './evaluation.js';
import { writeFigures, writePretextFigures } from './figures.js';
import type { Runner } from './runner.js';

/** The quick presets evaluate on a test subset; `testLimit` overrides. */
export function testLimitOf(cfg: TaskConfig): number | undefined {
  return cfg.testLimit ?? (cfg.preset === 'quick' ? 2000 : undefined);
}

export const imageRunner: Runner<'image'> = {
  unit: 'images',
  load: (cfg) => loadSplits(cfg.dataset, { trainLimit: cfg.trainLimit, testLimit: testLimitOf(cfg) }),
  train: (splits) => splits.train,
  loader: (train, cfg) => new ImageLoader(train, cfg.batchSize, { seed: cfg.seed }),
  itemsPerStep: (cfg) => cfg.batchSize,
  describe: (splits, loader, cfg) =>
    `${splits.train.name}: ${splits.train.shape[0]} images [${splits.train.shape.slice(1).join('×')}], ${loader.batchesPerEpoch} batches of ${cfg.batchSize} per epoch; test ${splits.test.shape[0]}`,
  evaluate: async (task, cfg, state, splits, settings, log) => {
    const ev = await evaluateRun(task, cfg, state.encoder, splits, settings, log);
    // the pretext objective itself on the test split (held-out accuracy, colorization's ab error, …)
    const pretext = await state.pretextMetrics?.(splits.test);
    if (pretext) log(`pretext   ${Object.entries(pretext).map(([k, v]) => `${k} ${+v.toPrecision(4)}`).join(', ')} (held out)`);
    return pretext ? { ...ev, pretext } : ev;
  },
  figures: async (dir, task, cfg, state, splits, opts) => {
    const figures = await writeFigures(dir, task, cfg, state.encoder, splits, opts);
    const pretext = await writePretextFigures(dir, state, splits.test);
    return pretext ? { ...figures, pretext } : figures;
  },
};
