// A training-step bench case: a BenchCase whose run() records one whole optimisation step
// (forward, loss, backward, optimizer) and whose peer is the same step in tfjs-backend-webgpu.
// The harness measures these with measureStep (few reps: one step takes seconds on lavapipe).
import type { Gpu } from '@pretext/gpu';
import type { BenchCase, BenchInstance, BenchSetupOptions, PeerInstance, Tf } from '../case.js';

export interface StepInstance extends BenchInstance {
  /** What one step consumes (source images, or tokens) and what to call it. */
  items: number;
  unit: 'images' | 'tokens';
  /** The batch as a reader would state it ('256 images × 2 views'). */
  batch: string;
}

export interface StepPeerInstance extends PeerInstance {
  /** One step; returns what the harness disposes (tfjs updates its variables in place). */
  run(): unknown;
}

export interface TrainingCase extends BenchCase {
  kernel: 'train';
  /** Caps on the CLI's --reps / --warmup for this case (a step takes seconds). */
  limits: { reps: number; warmup: number };
  setup(gpu: Gpu, opts?: BenchSetupOptions): Promise<StepInstance>;
  peer?: { name: string; setup(tf: Tf, opts?: BenchSetupOptions): Promise<StepPeerInstance> };
}

export const isTrainingCase = (c: BenchCase): c is TrainingCase => c.kernel === 'train' && 'limits' in c;
