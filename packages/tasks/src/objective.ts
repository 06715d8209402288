// An objective is one self-supervised loss on a shared encoder: the heads it trains, its loss for a
// batch, and whatever it updates after the optimizer (MoCo's key encoder and queue). One objective
// makes a method (simclr.ts, rotation.ts, …); several, weighted, make a hybrid. `trainObjectives`
// is the step they all share: lr schedule → Σ wᵢ·Lᵢ → backward → one fused optimizer update →
// after-update hooks → one readback of the metrics.
import { argmax, concat, noGrad, type Optimizer, reshape, Tensor, tidy } from '@pretext/core';
import type { Module } from '@pretext/models';
import type { BatchOf, EncoderOf, Modality, PretextExample, StepContext, StepMetrics, TrainState } from './task.js';
import { learningRate, makeOptimizer, type TrainingConfig } from './training-options.js';

export interface LossResult {
  /** A scalar on the tape. */
  loss: Tensor;
  /** Scalars without gradient, by name (accuracy, embeddingStd, …). */
  metrics: Record<string, Tensor>;
}

export interface Objective<M extends Modality> {
  /** Its name (metrics of a hybrid are prefixed with it: 'rotation.accuracy'). */
  name: string;
  /** Modules it trains besides the encoder (heads), by checkpoint prefix. */
  heads: Record<string, Module>;
  /** Modules it keeps but does not train (MoCo's key encoder), by checkpoint prefix. */
  frozen?: Record<string, Module>;
  /** Its loss on the batch; runs inside the step's tidy scope, gradients on (held-out metrics: off). */
  loss(batch: BatchOf<M>, ctx: StepContext): LossResult;
  /**
   * Metrics worth their cost only on held-out batches (colorization's ab error and colourfulness
   * next to its baselines), besides loss()'s; scalars by name, inside heldOut's no-gradient scope.
   */
  heldOutMetrics?(batch: BatchOf<M>, ctx: StepContext): Record<string, Tensor>;
  /** What the report draws of the objective on a batch: a classifier's inputs and logits, or rows of images. */
  view?(batch: BatchOf<M>, ctx: StepContext): PretextView;
  /** After the optimizer's update, inside the same scope (MoCo: EMA of the key encoder, enqueue). */
  afterUpdate?(ctx: StepContext & { optimizer: Optimizer }): void;
  /** Tensors to checkpoint besides the modules', by name. */
  extraState?(): Map<string, Tensor>;
  /** Frees what it owns besides `heads` and `frozen` (queues, key arenas). */
  dispose?(): void;
}

/**
 * The step metric holding ‖θ‖₂ of the trained parameters: NaN or Inf when any weight is (or when
 * ‖θ‖² overflows f32, i.e. weights of order 1e19: diverged all the same).
 */
export const PARAM_NORM = 'paramNorm';

/**
 * A pretext task on a batch as tensors, for the report: a classifier's inputs, targets (N) and
 * logits (N, classes) (rotation, jigsaw, context), or labelled rows of (K, C, H, W) images over
 * the same K items (colorization: gray input, prediction, truth).
 */
export type PretextView = ClassifierView | RowsView;
export interface ClassifierView {
  kind: 'rotation' | 'jigsaw' | 'context';
  inputs: Tensor;
  targets: Tensor;
  logits: Tensor;
  permutations?: Int32Array;
}
export interface RowsView {
  kind: 'rows';
  rows: { label: string; images: Tensor }[];
}

export interface WeightedObjective<M extends Modality> {
  objective: Objective<M>;
  weight: number;
}

/**
 * The train state of an encoder and weighted objectives: one optimizer over the encoder and every
 * head; each step minimises Σᵢ wᵢ·Lᵢ. A single objective keeps its names as they are; several
 * prefix their heads, state and metrics with their names.
 */
export function trainObjectives<M extends Modality>(cfg: TrainingConfig & { seed: number }, encoder: EncoderOf<M>, parts: readonly WeightedObjective<M>[]): TrainState<M> {
  if (!parts.length) throw new Error('trainObjectives: no objectives');
  const single = parts.length === 1;
  const prefixed = (o: Objective<M>, k: string) => (single ? k : `${o.name}.${k}`);
  const trained: Record<string, Module> = { encoder };
  const modules: Record<string, Module> = { encoder };
  for (const { objective: o } of parts) {
    for (const [k, m] of Object.entries(o.heads)) trained[prefixed(o, k)] = modules[prefixed(o, k)] = m;
    for (const [k, m] of Object.entries(o.frozen ?? {})) modules[prefixed(o, k)] = m;
  }
  const optimizer = makeOptimizer(cfg, Object.entries(trained).flatMap(([k, m]) => m.namedParameters(k)));

  async function step(batch: BatchOf<M>, step: number, totalSteps: number): Promise<StepMetrics> {
    optimizer.lr = learningRate(cfg, step, totalSteps);
    const ctx: StepContext = { step, totalSteps, seed: cfg.seed * 1_000_003 + step };
    const kept = tidy(() => {
      // 1. every objective's loss on the shared encoder; the step minimises Σᵢ wᵢ·Lᵢ
      const { total, results } = losses(batch, ctx);
      // 2. backward, one fused optimizer update, then what follows it (EMA targets, queues)
      total.backward();
      optimizer.update();
      for (const { objective } of parts) objective.afterUpdate?.({ ...ctx, optimizer });
      // 3. the metrics to read back, packed   (K,), with ‖θ‖ over every trained parameter: a NaN or
      //    Inf weight shows there even when the loss stays finite (BN renormalises what follows)
      return pack(total, results, paramNorm());
    });
    // 4. the step's only readback
    const m: StepMetrics = { loss: 0, lr: optimizer.lr };
    Object.assign(m, await unpack(kept));
    return m;
  }

  /** Σᵢ wᵢ·Lᵢ and each objective's result. */
  function losses(batch: BatchOf<M>, ctx: StepContext): { total: Tensor; results: LossResult[] } {
    const results = parts.map(({ objective }) => objective.loss(batch, ctx));
    const total = single && parts[0].weight === 1 ? results[0].loss : results.map((r, i) => r.loss.mul(parts[i].weight)).reduce((a, b) => a.add(b));
    return { total, results };
  }

  /** ‖θ‖₂ over the optimizer's flat parameter buffer, on the GPU: one reduction, no readback of its own. */
  function paramNorm(): Tensor {
    const b = optimizer.arena.backend;
    return new Tensor(b.globalNorm(optimizer.arena.flat), b);
  }

  /** The total loss, then each objective's loss and metrics (prefixed in a hybrid), [‖θ‖], as one (K,) tensor. */
  function pack(total: Tensor, results: LossResult[], norm?: Tensor): { names: string[]; packed: Tensor } {
    const out: Record<string, Tensor> = { loss: total };
    results.forEach((r, i) => {
      const o = parts[i].objective;
      if (!single) out[`${o.name}.loss`] = r.loss;
      for (const [k, t] of Object.entries(r.metrics)) out[prefixed(o, k)] = t;
    });
    if (norm) out[PARAM_NORM] = norm;
    return { names: Object.keys(out), packed: noGrad(() => concat(Object.values(out).map((t) => reshape(t, [1])), 0)) };
  }

  async function unpack(kept: { names: string[]; packed: Tensor }): Promise<Record<string, number>> {
    const values = await kept.packed.data();
    kept.packed.dispose();
    return Object.fromEntries(kept.names.map((k, i) => [k, values[i]]));
  }

  /** Runs `f` with every module in eval mode (BN running statistics), then restores their modes. */
  async function evalMode<T>(f: () => Promise<T>): Promise<T> {
    const all = Object.values(modules);
    const was = all.map((m) => m.training);
    for (const m of all) m.eval();
    try {
      return await f();
    } finally {
      all.forEach((m, i) => m.train(was[i]));
    }
  }
  /** The objectives' losses and metrics on held-out batches: eval mode, no gradient, no update; the mean of each. */
  async function heldOut(batches: Iterable<BatchOf<M>> | AsyncIterable<BatchOf<M>>, seed = 0): Promise<Record<string, number>> {
    return evalMode(async () => {
      const sums: Record<string, number> = {};
      let n = 0;
      for await (const batch of batches) {
        const ctx: StepContext = { step: n, totalSteps: 0, seed: seed * 1_000_003 + n };
        const kept = noGrad(() => tidy(() => {
          const { total, results } = losses(batch, ctx);
          parts.forEach(({ objective: o }, i) => Object.assign(results[i].metrics, o.heldOutMetrics?.(batch, ctx)));
          return pack(total, results);
        }));
        for (const [k, v] of Object.entries(await unpack(kept))) sums[k] = (sums[k] ?? 0) + v;
        n++;
      }
      if (!n) throw new Error('heldOut: no batches');
      return Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / n]));
    });
  }

  /** What each objective with a view shows on a batch (eval mode, the held-out augmentations of `seed`). */
  async function pretextExamples(batch: BatchOf<M>, seed = 0): Promise<PretextExample[]> {
    return evalMode(async () => {
      const out: PretextExample[] = [];
      for (const { objective: o } of parts) {
        if (o.view) out.push(await example(o.name, o.view, batch, { step: 0, totalSteps: 0, seed: seed * 1_000_003 }));
      }
      return out;
    });
  }

  /** One view read back: a classifier's inputs, truth and argmax, or the rows' images. */
  async function example(objective: string, view: NonNullable<Objective<M>['view']>, batch: BatchOf<M>, ctx: StepContext): Promise<PretextExample> {
    const v = noGrad(() => tidy(() => {
      const r = view(batch, ctx);
      return r.kind === 'rows' ? r : { ...r, predicted: argmax(r.logits, -1) };
    }));
    const read = async (t: Tensor) => {
      const d = await t.data();
      t.dispose();
      return d;
    };
    if (v.kind === 'rows') {
      const [, c, h, w] = v.rows[0].images.shape;
      const rows: { label: string; images: Float32Array }[] = [];
      for (const r of v.rows) rows.push({ label: r.label, images: Float32Array.from(await read(r.images)) });
      return { objective, kind: 'rows', imageShape: [c, h, w], rows };
    }
    v.logits.dispose();
    const shape = [...v.inputs.shape];
    const [inputs, truth, predicted] = [await read(v.inputs), await read(v.targets), await read(v.predicted)];
    return { objective, kind: v.kind, inputs: Float32Array.from(inputs), shape, truth: Int32Array.from(truth), predicted: Int32Array.from(predicted), permutations: v.permutations };
  }

  return {
    encoder,
    modules,
    optimizer,
    step,
    heldOut,
    pretextExamples,
    extraState: () => new Map(parts.flatMap(({ objective: o }) => [...(o.extraState?.() ?? [])].map(([k, t]): [string, Tensor] => [prefixed(o, k), t]))),
    dispose() {
      for (const m of Object.values(modules)) m.dispose();
      for (const { objective } of parts) objective.dispose?.();
      optimizer.dispose();
    },
  };
}
