// What the classification pretext tasks share: a classifier head on the shared encoder's features,
// and the objective "cross-entropy of the head's logits against the view's labels".
import { classification, type Tensor } from '@pretext/core';
import type { Batch } from '@pretext/data';
import { type Init, Linear, MLP, type Module } from '@pretext/models';
import type { ClassifierView, Objective } from './objective.js';
import { int } from './options.js';
import type { StepContext } from './task.js';

export const headOptions = {
  hidden: int('hidden width of the classifier head: Linear → BN → ReLU → Linear (0: one linear layer)', 256, { min: 0, max: 8192 }),
};

/** features (N, dim) → logits (N, classes). */
export function classifierHead(init: Init, dim: number, hidden: number, classes: number): Module & { forward(x: Tensor): Tensor } {
  return hidden > 0 ? new MLP(init, [dim, hidden, classes], { batchNorm: true }) : new Linear(init, dim, classes);
}

/** The objective of a view classifier: cross-entropy and top-1 of `view`'s logits against its targets. */
export function classifierObjective(name: string, head: Module, view: (batch: Batch, ctx: StepContext) => ClassifierView): Objective<'image'> {
  return {
    name,
    heads: { head },
    view,
    loss(batch, ctx) {
      const v = view(batch, ctx);
      const { loss, accuracy } = classification(v.logits, v.targets);
      return { loss, metrics: { accuracy } };
    },
  };
}
