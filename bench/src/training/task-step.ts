// A training-step case over a task's own step: `task.build(cfg, data).step(batch, t, total)`, the
// very function `pretext train` calls (augmentation or masking, forward, loss, backward, optimizer
// update and the metrics readback), on a fixed batch. Checked first: one tiny step of the same task
// on the webgpu and the CPU reference backends, plain SGD so that the parameter change is
// −lr·gradient, compared parameter by parameter.
import type { Backend, Storage } from '@pretext/core';
import { type ImageDataset, ImageLoader } from '@pretext/data';
import { randu } from '@pretext/gpu/testing';
import type { BatchOf, DataOf, Modality, PresetId, Task, TaskConfig } from '@pretext/tasks';
import { compareWithCpu, useGpuBackend } from './backend.js';
import type { StepInstance, TrainingCase } from './case.js';
import type { TorchStep } from './torch-peer.js';

/** n seeded uniform-noise images of shape (c, h, w), labelled 0. */
export function noiseImages(n: number, [c, h, w]: readonly [number, number, number], seed = 1): ImageDataset {
  return { name: 'noise', images: randu(n * c * h * w, seed), shape: [n, c, h, w], labels: new Int32Array(n), classes: ['noise'] };
}

export interface TaskStepSpec<M extends Modality> {
  name: string;
  target?: string;
  task: Task<M>;
  dataset: string;
  preset: PresetId;
  /** Items per step (the --quick run caps it at 32, or at `quickBatch`). */
  batch: number;
  quickBatch?: number;
  /** Option values of the timed step over the preset's, and of the check's tiny step (small widths). */
  options?: Record<string, unknown>;
  tiny: Record<string, unknown>;
  /** The data a step of batch n trains on (`tiny`: the check's), and its one fixed batch. */
  data(n: number, tiny: boolean): DataOf<M>;
  batchOf(data: DataOf<M>, cfg: TaskConfig): BatchOf<M>;
  unit: StepInstance['unit'];
  /** What one step consumes in `unit` (images, tokens). */
  items(cfg: TaskConfig): number;
  /** Declared conv/matmul FLOPs of one step for a config. */
  flops(cfg: TaskConfig): number;
  /** How a reader would state the batch ('256 images × 2 views'). */
  describe(cfg: TaskConfig): string;
  peer?: TrainingCase['peer'];
  /** The same step in PyTorch for the timed config (bench/torch/). */
  torch?: (cfg: TaskConfig) => TorchStep;
}

const TOLERANCE = 2e-3;

/** Image tasks: a fixed batch of seeded noise images (the work does not depend on the pixels). */
export const imageData = (image: readonly [number, number, number]) => ({
  data: (n: number, tiny: boolean): ImageDataset => noiseImages(n, image, tiny ? 3 : 1),
  batchOf: (data: ImageDataset) => new ImageLoader(data, data.shape[0], { seed: 1, shuffle: false }).batch(0, 0),
});

/** One step of a tiny run of the task: its loss and, under SGD, each parameter's change (= −lr·grad). */
export async function tinyStep<M extends Modality>(spec: TaskStepSpec<M>): Promise<{ loss: number; grads: Float32Array[] }> {
  const cfg = spec.task.config(spec.dataset, spec.preset, { ...spec.tiny, batchSize: 4, optimizer: 'sgd', weightDecay: 0, warmupSteps: 0, lr: 1 });
  const data = spec.data(4, true);
  const state = spec.task.build(cfg, data);
  try {
    const batch = spec.batchOf(data, cfg);
    const { backend: b, flat } = state.optimizer.arena;
    const before = await b.download(flat);
    const m = await state.step(batch, 0, 1);
    const after = await b.download(flat);
    return { loss: m.loss, grads: [Float32Array.from(after, (v, i) => v - before[i])] };
  } finally {
    state.dispose();
  }
}

export function taskStepCase<M extends Modality>(spec: TaskStepSpec<M>): TrainingCase {
  return {
    name: spec.name,
    kernel: 'train',
    ...(spec.target ? { target: spec.target } : {}),
    limits: { reps: 3, warmup: 1 },
    async setup(gpu, opts): Promise<StepInstance> {
      const n = opts?.quick ? Math.min(spec.batch, spec.quickBatch ?? 32) : spec.batch;
      useGpuBackend(gpu);
      const cfg = spec.task.config(spec.dataset, spec.preset, { ...spec.options, batchSize: n });
      const data = spec.data(n, false);
      const state = spec.task.build(cfg, data);
      const batch = spec.batchOf(data, cfg);
      let t = 0;
      return {
        items: spec.items(cfg),
        unit: spec.unit,
        batch: spec.describe(cfg),
        ...(spec.torch ? { torch: spec.torch(cfg) } : {}),
        params: state.optimizer.arena.entries.reduce((s, e) => s + e.tensor.size, 0),
        run: async () => {
          await state.step(batch, t++, 1_000_000);
        },
        async check() {
          const { backend: b, flat } = state.optimizer.arena;
          const finite = (await (b as Backend<Storage>).download(flat)).every(Number.isFinite) ? 0 : Number.POSITIVE_INFINITY;
          return Math.max(finite, await compareWithCpu(gpu, () => tinyStep(spec)));
        },
        tolerance: TOLERANCE,
        flops: spec.flops(cfg),
        bytes: 0,
        dispose: () => state.dispose(),
      };
    },
    ...(spec.peer ? { peer: spec.peer } : {}),
  };
}
