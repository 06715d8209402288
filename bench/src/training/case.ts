// A training-step bench case: a BenchCase whose run() records one whole optimisation step
// (forward, loss, backward, optimizer) and whose peer is the same step in tfjs-backend-webgpu.
// The harness measures these with measureStep (few reps: one step takes seconds on lavapipe).
import type { Gpu } from '@pretext/gpu';
import type { BenchCase, BenchInstance, BenchSetupOptions, PeerInstance, Tf } from '../case.js';
import type { TorchStep } from './torch-peer.js';

export interface StepInstance extends BenchInstance {
  /** Records one whole step; may await what the step reads back (a task's metrics). */
  run(): void | Promise<void>;
  /** What one step consumes (source images, or tokens) and what to call it. */
  items: number;
  unit: 'images' | 'tokens';
  /** The batch as a reader would state it ('256 images × 2 views'). */
  batch: string;
  /** Values the step trains (the PyTorch peer must train as many: same model). */
  params?: number;
  /** The same step in PyTorch on the CPU (bench/torch/), run interleaved with ours when torch is there. */
  torch?: TorchStep;
}

export interface StepPeerInstance extends PeerInstance {
  /** One step; returns what the harness disposes (tfjs updates its variables in place). */
  run(): unknown;
}

/** A peer on the CPU (not tfjs): one run, awaited, on the wall clock. */
export interface CpuPeer {
  name: string;
  setup(): Promise<{ run(): Promise<void>; dispose(): void }>;
}

/**
 * A whole-step case: kernel 'train' (an optimisation step) or 'infer' (a forward pass with its
 * readback). Both run only when `--only` names them.
 */
export interface TrainingCase extends BenchCase {
  kernel: 'train' | 'infer';
  /** Caps on the CLI's --reps / --warmup for this case (a step takes seconds). */
  limits: { reps: number; warmup: number };
  setup(gpu: Gpu, opts?: BenchSetupOptions): Promise<StepInstance>;
  peer?: { name: string; setup(tf: Tf, opts?: BenchSetupOptions): Promise<StepPeerInstance> };
  /** A CPU peer (onnxruntime-node), set up after this case's own setup. */
  cpuPeer?: CpuPeer;
}

export const isTrainingCase = (c: BenchCase): c is TrainingCase => (c.kernel === 'train' || c.kernel === 'infer') && 'limits' in c;
