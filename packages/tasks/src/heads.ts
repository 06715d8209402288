// The classifier head the pretext tasks put on the shared encoder's features.
import type { Tensor } from '@pretext/core';
import { type Init, Linear, MLP, type Module } from '@pretext/models';
import { int } from './options.js';

export const headOptions = {
  hidden: int('hidden width of the classifier head: Linear → BN → ReLU → Linear (0: one linear layer)', 256, { min: 0, max: 8192 }),
};

/** features (N, dim) → logits (N, classes). */
export function classifierHead(init: Init, dim: number, hidden: number, classes: number): Module & { forward(x: Tensor): Tensor } {
  return hidden > 0 ? new MLP(init, [dim, hidden, classes], { batchNorm: true }) : new Linear(init, dim, classes);
}
