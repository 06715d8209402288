// A training-step case over a task's own step: `task.build(cfg, data).step(batch, t, total)`, the
// very function `pretext train` calls (augmentation, forward, loss, backward, optimizer update and
// the metrics readback), on a fixed batch of seeded noise images (the work does not depend on the
// pixels). Checked first: one tiny step of the same task on the webgpu and the CPU reference
// backends, plain SGD so that the parameter change is −lr·gradient, compared parameter by parameter.
import type { Backend, Storage } from '@pretext/core';
import { type Batch, type ImageDataset, ImageLoader } from '@pretext/data';
import { randu } from '@pretext/gpu/testing';
import type { PresetId, Task, TaskConfig } from '@pretext/tasks';
import { compareWithCpu, useGpuBackend } from './backend.js';
import type { StepInstance, TrainingCase } from './case.js';

/** n seeded uniform-noise images of shape (c, h, w), labelled 0. */
export function noiseImages(n: number, [c, h, w]: readonly [number, number, number], seed = 1): ImageDataset {
  return { name: 'noise', images: randu(n * c * h * w, seed), shape: [n, c, h, w], labels: new Int32Array(n), classes: ['noise'] };
}

export interface TaskStepSpec {
  name: string;
  target?: string;
  task: Task<'image'>;
  dataset: string;
  preset: PresetId;
  image: readonly [number, number, number];
  /** Images per step (the --quick run caps it at 32). */
  batch: number;
  /** Option values of the check's tiny step (small widths). */
  tiny: Record<string, unknown>;
  /** Declared conv/matmul FLOPs of one step for a config. */
  flops(cfg: TaskConfig): number;
  /** How a reader would state the batch ('256 images × 2 views'). */
  describe(n: number): string;
  peer?: TrainingCase['peer'];
}

const TOLERANCE = 2e-3;

/** One step of a tiny run of the task: its loss and, under SGD, each parameter's change (= −lr·grad). */
async function tinyStep(spec: TaskStepSpec): Promise<{ loss: number; grads: Float32Array[] }> {
  const cfg = spec.task.config(spec.dataset, spec.preset, { ...spec.tiny, batchSize: 4, optimizer: 'sgd', weightDecay: 0, warmupSteps: 0, lr: 1 });
  const data = noiseImages(4, spec.image, 3);
  const state = spec.task.build(cfg, data);
  try {
    const batch = new ImageLoader(data, 4, { seed: 1, shuffle: false }).batch(0, 0);
    const { backend: b, flat } = state.optimizer.arena;
    const before = await b.download(flat);
    const m = await state.step(batch, 0, 1);
    const after = await b.download(flat);
    return { loss: m.loss, grads: [Float32Array.from(after, (v, i) => v - before[i])] };
  } finally {
    state.dispose();
  }
}

export function taskStepCase(spec: TaskStepSpec): TrainingCase {
  return {
    name: spec.name,
    kernel: 'train',
    ...(spec.target ? { target: spec.target } : {}),
    limits: { reps: 3, warmup: 1 },
    async setup(gpu, opts): Promise<StepInstance> {
      const n = opts?.quick ? Math.min(spec.batch, 32) : spec.batch;
      useGpuBackend(gpu);
      const cfg = spec.task.config(spec.dataset, spec.preset, { batchSize: n });
      const data = noiseImages(n, spec.image);
      const state = spec.task.build(cfg, data);
      const batch: Batch = new ImageLoader(data, n, { seed: 1, shuffle: false }).batch(0, 0);
      let t = 0;
      return {
        items: n,
        unit: 'images',
        batch: spec.describe(n),
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
