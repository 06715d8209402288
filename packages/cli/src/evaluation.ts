// The evaluation phase of a run: @pretext/eval's protocols on the trained encoder, and the same
// protocols on the baselines (raw pixels, random init, supervised), printed as one table.
import { type ImageDataset, subset } from '@pretext/data';
import { baselines, type Encoder, type EvalData, type EvalReport, evaluate, type Protocols, reportTable } from '@pretext/eval';
import type { Pipeline } from '@pretext/kernels';
import type { EvalSets, Task, TaskConfig } from '@pretext/tasks';
import { BASELINES, type BaselineName, UsageError } from './args.js';
import { augmentationOf, augmentedPairs, encoderFactoryOf } from './views.js';

/** Test images whose two augmented views give alignment and uniformity (datasets without natural pairs). */
export const ALIGN_PAIRS = 2000;

export const PROTOCOLS = ['linear', 'knn', 'few-label', 'align-uniform', 'rankme', 'retrieval'] as const;
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
}

export interface Evaluation {
  at: string;
  protocols: ProtocolName[];
  /** The trained encoder first, then the baselines. */
  reports: EvalReport[];
  table: string;
  seconds: number;
  /** The pretext objective on the test split, by name (TrainState.pretextMetrics), when the task has it. */
  pretext?: Record<string, number>;
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

export async function evaluateRun(task: Task<'image'>, cfg: TaskConfig, encoder: Encoder, splits: EvalSets, settings: EvalSettings, log: (l: string) => void): Promise<Evaluation> {
  const t0 = performance.now();
  const requested = checkProtocols(settings.protocols ?? PROTOCOLS);
  const data = await evalData(task, cfg, splits, requested.includes('align-uniform') || requested.includes('retrieval'));
  // protocols that need pairs run only where the data has them (retrieval: emoji vendors only)
  const run = requested.filter((p) => (p === 'align-uniform' ? !!data.pairs : p === 'retrieval' ? !!splits.pairs : true));
  for (const p of requested) if (!run.includes(p)) log(`eval      skipping ${p}: ${cfg.dataset} has no ${p === 'retrieval' ? 'cross-vendor pairs' : 'augmentation pairs for this task'}`);
  const probe = settings.probeEpochs ? { epochs: settings.probeEpochs } : true;
  const linearEpochs = settings.probeEpochs ?? (typeof cfg.probeEpochs === 'number' ? cfg.probeEpochs : undefined);
  const protocols: Protocols = {
    linear: run.includes('linear') && (linearEpochs ? { epochs: linearEpochs } : true),
    knn: run.includes('knn'),
    fewLabel: run.includes('few-label') && probe,
    alignUniform: run.includes('align-uniform'),
    rankMe: run.includes('rankme'),
    retrieval: run.includes('retrieval'),
  };

  log(`eval      ${run.join(', ')} on ${data.train.shape[0]} train / ${data.test.shape[0]} test images`);
  const reports = [await evaluate(`${task.id} (ours)`, encoder, data, protocols)];
  const which = settings.baselines ?? BASELINES;
  if (which.length) {
    log(`eval      baselines: ${which.join(', ')}`);
    const supervised = { epochs: settings.supervisedEpochs ?? (typeof cfg.supervisedEpochs === 'number' ? cfg.supervisedEpochs : cfg.epochs), lr: cfg.lr, batchSize: Math.min(cfg.batchSize, 256) };
    reports.push(...(await baselines(encoderFactoryOf(task, cfg, splits.train), data, protocols, { seed: cfg.seed, supervised, which })));
  }
  const table = reportTable(reports);
  log(`\n${table}\n`);
  return { at: new Date().toISOString(), protocols: run, reports, table, seconds: (performance.now() - t0) / 1000 };
}
