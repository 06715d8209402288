// An objective is one self-supervised loss on a shared encoder: the heads it trains, its loss for a
// batch, and whatever it updates after the optimizer (MoCo's key encoder and queue). One objective
// makes a method (simclr.ts, rotation.ts, …); several, weighted, make a hybrid. `trainObjectives`
// is the step they all share: lr schedule → Σ wᵢ·Lᵢ → backward → one fused optimizer update →
// after-update hooks → one readback of the metrics.
import { concat, noGrad, type Optimizer, reshape, type Tensor, tidy } from '@pretext/core';
import type { Module } from '@pretext/models';
import type { BatchOf, DataOf, EncoderOf, Modality, PretextFigure, StepContext, StepMetrics, TrainState } from './task.js';
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
  /** Its loss on the batch; runs inside the step's tidy scope, gradients on. */
  loss(batch: BatchOf<M>, ctx: StepContext): LossResult;
  /** After the optimizer's update, inside the same scope (MoCo: EMA of the key encoder, enqueue). */
  afterUpdate?(ctx: StepContext & { optimizer: Optimizer }): void;
  /** Tensors to checkpoint besides the modules', by name. */
  extraState?(): Map<string, Tensor>;
  /** Its objective on held-out data, by name (called with every module in eval mode). */
  pretextMetrics?(test: DataOf<M>): Promise<Record<string, number>>;
  /** Figures of it on held-out items (called with every module in eval mode). */
  pretextFigures?(test: DataOf<M>): Promise<PretextFigure[]>;
  /** Frees what it owns besides `heads` and `frozen` (queues, key arenas). */
  dispose?(): void;
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
      const results = parts.map(({ objective }) => objective.loss(batch, ctx));
      const total = single && parts[0].weight === 1 ? results[0].loss : results.map((r, i) => r.loss.mul(parts[i].weight)).reduce((a, b) => a.add(b));
      // 2. backward, one fused optimizer update, then what follows it (EMA targets, queues)
      total.backward();
      optimizer.update();
      for (const { objective } of parts) objective.afterUpdate?.({ ...ctx, optimizer });
      // 3. the metrics to read back: the total loss, then each objective's (prefixed in a hybrid), packed   (K,)
      const out: Record<string, Tensor> = { loss: total };
      results.forEach((r, i) => {
        const o = parts[i].objective;
        if (!single) out[`${o.name}.loss`] = r.loss;
        for (const [k, t] of Object.entries(r.metrics)) out[prefixed(o, k)] = t;
      });
      return { names: Object.keys(out), packed: noGrad(() => concat(Object.values(out).map((t) => reshape(t, [1])), 0)) };
    });
    // 4. the step's only readback
    const values = await kept.packed.data();
    kept.packed.dispose();
    const m: StepMetrics = { loss: 0, lr: optimizer.lr };
    kept.names.forEach((k, i) => { m[k] = values[i]; });
    return m;
  }

  // held-out views of the objectives that have them, every module in eval mode meanwhile
  async function evaluating<T>(f: () => Promise<T>): Promise<T> {
    const was = Object.values(modules).map((m) => m.training);
    for (const m of Object.values(modules)) m.eval();
    try {
      return await f();
    } finally {
      Object.values(modules).forEach((m, i) => m.train(was[i]));
    }
  }
  const withMetrics = parts.map((p) => p.objective).filter((o) => o.pretextMetrics);
  const withFigures = parts.map((p) => p.objective).filter((o) => o.pretextFigures);

  return {
    encoder,
    modules,
    optimizer,
    step,
    extraState: () => new Map(parts.flatMap(({ objective: o }) => [...(o.extraState?.() ?? [])].map(([k, t]): [string, Tensor] => [prefixed(o, k), t]))),
    ...(withMetrics.length
      ? {
          pretextMetrics: (test: DataOf<M>) =>
            evaluating(async () => {
              const out: Record<string, number> = {};
              for (const o of withMetrics) for (const [k, v] of Object.entries(await (o.pretextMetrics as NonNullable<typeof o.pretextMetrics>)(test))) out[prefixed(o, k)] = v;
              return out;
            }),
        }
      : {}),
    ...(withFigures.length
      ? {
          pretextFigures: (test: DataOf<M>) =>
            evaluating(async () => {
              const out: PretextFigure[] = [];
              for (const o of withFigures) out.push(...(await (o.pretextFigures as NonNullable<typeof o.pretextFigures>)(test)));
              return out;
            }),
        }
      : {}),
    dispose() {
      for (const m of Object.values(modules)) m.dispose();
      for (const { objective } of parts) objective.dispose?.();
      optimizer.arena.dispose();
    },
  };
}
