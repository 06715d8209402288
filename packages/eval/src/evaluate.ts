// One evaluation = features computed once per split, then every requested protocol on them.
// The result is a plain JSON object (a CLI prints it as a table and writes it to summary.json).
import type { ImageDataset } from '@pretext/data';
import { type AlignUniformResult, alignmentUniformity } from './align-uniform.js';
import { type Encoder, extractFeatures, type Features, numClasses, pixelFeatures } from './features.js';
import { fewLabel, type FewLabelResult } from './few-label.js';
import { fineTune, type FineTuneOptions, type FineTuneResult } from './finetune.js';
import { knn, type KnnOptions, type KnnResult } from './knn.js';
import { type SelectedProbeOptions, type SelectedProbeResult, selectedLinearProbe, weightDecayCandidates } from './probe-selection.js';
import { RANKME_MAX_DIM, rankMe } from './rankme.js';
import { retrievalRecallAt1, type RetrievalResult } from './retrieval.js';
import type { EncoderFactory } from './supervised.js';

/** What an evaluation runs on: labelled train/test splits and, optionally, positive pairs. */
export interface EvalData {
  name: string;
  train: ImageDataset;
  test: ImageDataset;
  /** Row i of a and b are two views of one item (two augmentations, or the two emoji vendors). */
  pairs?: { a: ImageDataset; b: ImageDataset; description: string };
}

/** Which protocols to run; `true` means default options. */
export interface Protocols {
  /** Weight decay selected on held-out training rows when the train split has ≤ SELECT_MAX_ROWS rows. */
  linear?: boolean | SelectedProbeOptions;
  knn?: boolean | KnnOptions;
  /** Weight decay selected on held-out rows of each fraction. */
  fewLabel?: boolean | (SelectedProbeOptions & { fractions?: number[] });
  /** A copy of the encoder + a linear head trained end to end on few labels; needs an encoder and opts.factory. */
  fineTune?: boolean | FineTuneOptions;
  /** Needs data.pairs. */
  alignUniform?: boolean;
  /** On the first test rows (at most `rankMeRows`, and RANKME_MAX_DIM when D is larger). */
  rankMe?: boolean;
  /** pairs.a → pairs.b recall@1; needs data.pairs. */
  retrieval?: boolean;
}

/** Every protocol on features (fine-tuning trains networks and needs a factory: ask for it by name). */
export const ALL_PROTOCOLS: Protocols = { linear: true, knn: true, fewLabel: true, alignUniform: true, rankMe: true, retrieval: true };

export interface EvalReport {
  model: string;
  /** Set on the reference rows `baselines` makes. */
  baseline?: 'raw-pixels' | 'random-init' | 'supervised';
  dataset: string;
  featureDim: number;
  nTrain: number;
  nTest: number;
  classes: number;
  linear?: SelectedProbeResult;
  knn?: KnnResult;
  fewLabel?: FewLabelResult[];
  fineTune?: FineTuneResult[];
  alignUniform?: AlignUniformResult & { pairs: string };
  rankMe?: number;
  retrieval?: RetrievalResult & { pairs: string };
  /** Wall seconds per protocol (features included under "features"). */
  seconds: Record<string, number>;
}

/** A frozen encoder, or a function from images to features (raw pixels, a cache). */
export type FeatureSource = Encoder | ((images: ImageDataset) => Promise<Features> | Features);

/**
 * The linear protocol selects its weight decay (PROBE_WEIGHT_DECAYS) when the train split has at
 * most this many rows: there the regularisation moves top-1 and a sweep is cheap. Above it the
 * features, not the regularisation, limit the probe (SimCLR Fashion-MNIST, 60 000 labels, the
 * 512-d features of 92f73fd: 90.3% at 1e-4, 89.6% at 0.3) and five more probes would cost minutes per
 * model.
 */
export const SELECT_MAX_ROWS = 6000;

export const rawPixels: FeatureSource = (images) => pixelFeatures(images);

const opt = <T extends object>(p: boolean | T | undefined): T | null => (p === undefined || p === false ? null : p === true ? ({} as T) : p);

/** Hears each finished part of an evaluation: the model, the part ('features', 'linear', …) and its seconds. */
export type EvalProgress = (model: string, part: string, seconds: number) => void;

/**
 * `opts.factory` builds a fresh network of the encoder's architecture (fine-tuning trains a copy
 * made by it, never `source` itself).
 */
export async function evaluate(model: string, source: FeatureSource, data: EvalData, protocols: Protocols = ALL_PROTOCOLS, opts: { batchSize?: number; rankMeRows?: number; progress?: EvalProgress; factory?: EncoderFactory } = {}): Promise<EvalReport> {
  const needsPairs = protocols.alignUniform || protocols.retrieval;
  if (needsPairs && !data.pairs) throw new Error(`evaluate: alignUniform and retrieval need data.pairs (two views of each item) for dataset '${data.name}'`);
  const ft = opt(protocols.fineTune);
  if (ft && (typeof source === 'function' || !opts.factory)) throw new Error(`evaluate: fineTune needs an encoder and opts.factory (a fresh network of its architecture) for '${model}'`);
  const seconds: Record<string, number> = {};
  const timed = async <T>(key: string, f: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const r = await f();
    const dt = (performance.now() - t0) / 1000;
    seconds[key] = (seconds[key] ?? 0) + dt;
    opts.progress?.(model, key, dt);
    return r;
  };
  const featuresOf = (ds: ImageDataset) => timed('features', async () => (typeof source === 'function' ? source(ds) : extractFeatures(source, ds, { batchSize: opts.batchSize })));

  const train = await featuresOf(data.train);
  const test = await featuresOf(data.test);
  const classes = numClasses(data.train.labels, data.test.labels);
  const report: EvalReport = { model, dataset: data.name, featureDim: train.dim, nTrain: train.n, nTest: test.n, classes, seconds };

  const lin = opt(protocols.linear);
  if (lin) {
    const weightDecays = weightDecayCandidates(lin, train.n <= SELECT_MAX_ROWS);
    report.linear = await timed('linear', () => selectedLinearProbe(train, data.train.labels, test, data.test.labels, { classes, ...lin, weightDecays }));
  }
  const kn = opt(protocols.knn);
  if (kn) report.knn = await timed('knn', () => knn(train, data.train.labels, test, data.test.labels, { classes, ...kn, k: Math.min(kn.k ?? 200, train.n) }));
  const few = opt(protocols.fewLabel);
  if (few) report.fewLabel = await timed('fewLabel', () => fewLabel(train, data.train.labels, test, data.test.labels, { classes, ...few }));
  if (ft && typeof source !== 'function' && opts.factory) {
    const factory = opts.factory;
    report.fineTune = await timed('fineTune', () => fineTune(source, factory, data.train, data.test, ft));
  }
  if (protocols.rankMe) {
    // the host eigen-solver needs min(rows, D) ≤ RANKME_MAX_DIM (raw emoji pixels have D = 12288)
    const rows = Math.min(test.n, opts.rankMeRows ?? 4096, test.dim > RANKME_MAX_DIM ? RANKME_MAX_DIM : Number.POSITIVE_INFINITY);
    report.rankMe = (await timed('rankMe', () => rankMe({ values: test.values.subarray(0, rows * test.dim), n: rows, dim: test.dim }))).rankMe;
  }
  if (needsPairs && data.pairs) {
    const { description } = data.pairs;
    const a = await featuresOf(data.pairs.a);
    const b = await featuresOf(data.pairs.b);
    if (protocols.alignUniform) report.alignUniform = { ...(await timed('alignUniform', () => alignmentUniformity(a, b))), pairs: description };
    if (protocols.retrieval) report.retrieval = { ...(await timed('retrieval', () => retrievalRecallAt1(a, b))), pairs: description };
  }
  return report;
}
