// Our SimCLR step, as the simclr task takes it (tasks/src/simclr.ts) minus the metric readback:
// two GPU-augmented views of N Fashion-MNIST-sized images → ConvNet (32/64/128) → projection
// head → NT-Xent on the fused InfoNCE kernel → backward → one fused AdamW update. Nothing is
// read back. The images are seeded uniform noise in [0, 1): the work does not depend on them.
import { adamw, augment, keep, ntXent, type Tensor, tensor, tidy } from '@pretext/core';
import { randu } from '@pretext/gpu/testing';
import { ConvNet, Init, projectionHead } from '@pretext/models';
import { type SimclrConfig, simclr, simclrAugmentation } from '@pretext/tasks';
import { probeGrads, type StepProbe } from './backend.js';

export const IMAGE = 28;

/** The task's Fashion-MNIST hyperparameters (full preset: width 32) at batch `n`. */
export function simclrStepConfig(n: number, width?: number): SimclrConfig {
  const cfg = simclr.config('fashion-mnist', 'full') as SimclrConfig;
  return { ...cfg, batchSize: n, width: width ?? cfg.width };
}

export interface SimclrStep {
  /** Records one optimisation step (no submit, no readback). */
  step(): void;
  /** Forward + backward without the update: the loss and every parameter's gradient. */
  probe(): Promise<StepProbe>;
  /** The flat parameter arena, for a finiteness check. */
  params(): Promise<Float32Array>;
  dispose(): void;
}

/** Builds model, optimizer and a fixed batch on the current default backend. */
export function simclrStep(cfg: SimclrConfig, seed = 1): SimclrStep {
  const n = cfg.batchSize;
  const init = new Init(cfg.seed);
  const encoder = new ConvNet(init, 1, cfg.width);
  const head = projectionHead(init, encoder.featureDim, cfg.projHidden, cfg.projDim);
  const named = [...encoder.namedParameters('encoder'), ...head.namedParameters('head')];
  const optimizer = adamw(named, { lr: cfg.lr, weightDecay: cfg.weightDecay });
  const pipeline = simclrAugmentation('fashion-mnist', cfg.jitter);
  const x = keep(tensor(randu(n * IMAGE * IMAGE, seed), [n, 1, IMAGE, IMAGE])); // (N, 1, 28, 28)
  let t = 0;

  const lossOf = (): Tensor => {
    // rows n and N + n are two views of image n   (2N, 1, 28, 28)
    const views = augment(x, pipeline, { seed: seed * 1_000_003 + t++, outSize: [IMAGE, IMAGE], views: 2 });
    const z = head.forward(encoder.forward(views)); // (2N, d)
    return ntXent(z, { tau: cfg.tau }).loss;
  };

  return {
    step: () =>
      tidy(() => {
        lossOf().backward();
        optimizer.update();
      }),
    probe: () => probeGrads('simclr step', named, optimizer, lossOf),
    params: async () => Float32Array.from(await optimizer.arena.backend.download(optimizer.arena.flat)),
    dispose() {
      x.dispose();
      encoder.dispose();
      head.dispose();
      optimizer.dispose();
    },
  };
}
