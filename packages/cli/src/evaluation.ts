// The evaluation phase of a run: @pretext/eval's protocols on the trained encoder, and the same
// protocols on the baselines (raw pixels, random init, supervised), printed as one table.
import { type ImageDataset, ImageLoader, subset } from '@pretext/data';
import { baselines, type Encoder, type EvalData, type EvalProgress, type EvalReport, evaluate, LINEAR_PROBE_DEFAULTS, type Protocols, reportTable } from '@pretext/eval';
import type { Pipeline } from '@pretext/kernels';
import type { EvalSets, Task, TaskConfig, TrainState } from '@pretext/tasks';
import { BASELINES, type BaselineName, UsageError } from './args.js';
import { headline, headlineText } from './headline.js';
import { augmentationOf, augmentedPairs, encoderFactoryOf } from './views.js';

/** Test images whose two augmented views give alignment and uniformity (datasets without natural pairs). */
export const ALIGN_PAIRS = 2000;

export const PROTOCOLS = ['linear', 'knn', 'few-label', 'finetune', 'align-uniform', 'rankme', 'retrieval'] as const;
export type ProtocolName = (typeof PROTOCOLS)[number];
export { BASELINES, type BaselineName };

export interface EvalSettings {
  /** Protocols to run (default: every one the data allows). */
  protocols?: readonly string[];
  /** Baselines to run (default all). */
  baselines?: readonly BaselineName[];
  /** Linear-probe and few-label epochs (default: the preset's probeEpochs for the linear probe, @pretext/eval's otherwise). */
  probeEpochs?: number;
  /** Supervised baseline epochs (default: the run's epochs). */
  supervisedEpochs?: number;
  /** Fine-tuning epochs (default: the config's finetuneEpochs, else @pretext/eval's). */
  finetuneEpochs?: number;
  /**
   * Baseline reports already computed on the same data, encoder architecture, seed and protocols
   * (\`pretext compare\` runs them once for every task): used as they are instead of running \`baselines\`.
   */
  baselineReports?: readonly EvalReport[];
}

/** A table of numbers the report shows as it is (the language evaluation's). */
export interface ReportTable {
  title: string;
  head: string[];
  rows: string[][];
  note?: string;
}

export interface Evaluation {
  at: string;
  protocols: string[];
  /** The trained encoder first, then the baselines. */
  reports: EvalReport[];
  table: string;
  /** Further tables (language runs: perplexity and baselines, category from the encoder). */
  tables?: ReportTable[];
  /** The task's own metrics (loss, pretext accuracy, … as training names them) on the test split, when it has them. */
  pretext?: { items: number; metrics: Record<string, number> };
  seconds: number;
}

export function checkProtocols(names: readonly string[]): ProtocolName[] {
  for (const p of names) if (!(PROTOCOLS as readonly string[]).includes(p)) throw new UsageError(`unknown protocol '${p}'; valid: ${PROTOCOLS.join(', ')}`);
  return names as ProtocolName[];
}

/** The run's splits as @pretext/eval's EvalData; positive pairs: emoji vendors, else two augmentations. */
async function evalData(task: Task<'image'>, cfg: TaskConfig, splits: EvalSets, wantPairs: boolean): Promise<EvalData> {
  const data: EvalData = { name: cfg.dataset, train: splits.train, test: splits.test };
  if (!wantPairs) return data;
  if (splits.pairs) return { ...data, pairs: { a: splits.pairs.google, b: splits.pairs.twitter, description: 'google → twitter drawing of the same test emoji' } };
  const pipeline = augmentationOf(task, cfg);
  if (!pipeline) return data;
  return { ...data, pairs: await alignmentPairs(splits.test, pipeline, cfg.seed + 7_919) };
}

/**
 * Two augmented views of each of the first `max` test images. Alignment and uniformity are means
 * over pairs, which 2000 estimate well; the whole Fashion-MNIST test set would push 20 000 more
 * images through every encoder evaluated (~1 min each on lavapipe).
 */
export async function alignmentPairs(test: ImageDataset, pipeline: Pipeline, seed: number, max = ALIGN_PAIRS): Promise<NonNullable<EvalData['pairs']>> {
  const n = Math.min(test.shape[0], max);
  const first = n < test.shape[0] ? subset(test, Int32Array.from({ length: n }, (_, i) => i)) : test;
  const { a, b } = await augmentedPairs(first, pipeline, seed);
  return { a, b, description: `two ${pipeline.name} views of each of ${n} test images` };
}

/** A line per finished part of each model's evaluation: `eval [2/4] random init · knn 1.2 s`. */
function evalProgress(models: number, log: (l: string) => void): EvalProgress {
  const seen: string[] = [];
  return (model, part, seconds) => {
    const key = model.startsWith('supervised') ? 'supervised' : model;
    if (!seen.includes(key)) seen.push(key);
    log(`eval      [${seen.indexOf(key) + 1}/${models}] ${key} · ${part} ${seconds.toFixed(1)} s`);
  };
}

export async function evaluateRun(task: Task<'image'>, cfg: TaskConfig, encoder: Encoder, splits: EvalSets, settings: EvalSettings, log: (l: string) => void): Promise<Evaluation> {
  const t0 = performance.now();
  const requested = checkProtocols(settings.protocols ?? PROTOCOLS);
  const data = await evalData(task, cfg, splits, requested.includes('align-uniform') || requested.includes('retrieval'));
  // protocols that need pairs run only where the data has them (retrieval: emoji vendors only);
  // those that need labels only where there are two classes or more (a folder without sub-folders has one)
  const labelled = splits.train.classes.length > 1;
  const why = (p: ProtocolName) => (p === 'retrieval' ? 'cross-vendor pairs' : p === 'align-uniform' ? 'augmentation pairs for this task' : 'labels (a folder needs one sub-folder per class)');
  const run = requested.filter((p) => (p === 'align-uniform' ? !!data.pairs : p === 'retrieval' ? !!splits.pairs : p === 'rankme' || labelled));
  for (const p of requested) if (!run.includes(p)) log(`eval      skipping ${p}: ${cfg.dataset} has no ${why(p)}`);
  // probeSelect false: one probe at the default weight decay, no held-out selection
  const fixed = cfg.probeSelect === false ? { weightDecays: [LINEAR_PROBE_DEFAULTS.weightDecay] } : {};
  const probe = { ...(settings.probeEpochs ? { epochs: settings.probeEpochs } : {}), ...fixed };
  const linearEpochs = settings.probeEpochs ?? (typeof cfg.probeEpochs === 'number' ? cfg.probeEpochs : undefined);
  const finetuneEpochs = settings.finetuneEpochs ?? cfg.finetuneEpochs;
  const protocols: Protocols = {
    linear: run.includes('linear') && { ...(linearEpochs ? { epochs: linearEpochs } : {}), ...fixed },
    knn: run.includes('knn'),
    fewLabel: run.includes('few-label') && probe,
    fineTune: run.includes('finetune') && {
      seed: cfg.seed,
      ...(finetuneEpochs ? { epochs: finetuneEpochs } : {}),
      ...(typeof cfg.finetuneEncoderLr === 'number' ? { encoderLrScale: cfg.finetuneEncoderLr } : {}),
    },
    alignUniform: run.includes('align-uniform'),
    rankMe: run.includes('rankme'),
    retrieval: run.includes('retrieval'),
  };

  log(`eval      ${run.join(', ')} on ${data.train.shape[0]} train / ${data.test.shape[0]} test images`);
  const which = (settings.baselines ?? BASELINES).filter((b) => b !== 'supervised' || labelled);
  const progress = evalProgress(1 + (settings.baselineReports ? 0 : which.length), log);
  const factory = encoderFactoryOf(task, cfg, splits.train);
  const reports = [await evaluate(`${task.id} (ours)`, encoder, data, protocols, { factory, progress })];
  if (settings.baselineReports) {
    log(`eval      baselines: ${settings.baselineReports.map((r) => r.baseline ?? r.model).join(', ')} (computed once for this comparison)`);
    reports.push(...settings.baselineReports);
  } else if (which.length) {
    log(`eval      baselines: ${which.join(', ')}`);
    const supervised = { epochs: settings.supervisedEpochs ?? (typeof cfg.supervisedEpochs === 'number' ? cfg.supervisedEpochs : cfg.epochs), lr: cfg.lr, batchSize: Math.min(cfg.batchSize, 256) };
    reports.push(...(await baselines(factory, data, protocols, { seed: cfg.seed, supervised, which, progress })));
  }
  const table = reportTable(reports);
  log(`\n${table}\n`);
  const h = headline(reports);
  if (h) log(`${headlineText(h)}\n`);
  return { at: new Date().toISOString(), protocols: run, reports, table, seconds: (performance.now() - t0) / 1000 };
}

/**
 * The task's pretext metrics on the test split (TrainState.heldOut: eval mode, no update, fixed
 * augmentation seeds apart from training's), in full batches of the run's batch size.
 */
export async function pretextOnTest(cfg: TaskConfig, state: TrainState<'image'>, test: ImageDataset, log: (l: string) => void): Promise<NonNullable<Evaluation['pretext']>> {
  const loader = new ImageLoader(test, Math.min(cfg.batchSize, test.shape[0]), { seed: cfg.seed, shuffle: false });
  const metrics = await state.heldOut(loader.epoch(0), cfg.seed + 7_919);
  const items = loader.batchesPerEpoch * loader.batchSize;
  log(`pretext   on ${items} held-out ${test.name} images: ${Object.entries(metrics).map(([k, v]) => `${k} ${/accuracy$/.test(k) ? `${(100 * v).toFixed(2)}%` : v.toFixed(4)}`).join(', ')}`);
  return { items, metrics };
}
