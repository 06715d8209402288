// The training-step cases (`pnpm bench --only train`): SimCLR on the small ConvNet and a
// masked-LM Transformer encoder step, each against the same step in tfjs-backend-webgpu.
// check(): after the timed-size step ran once, its parameters must be finite, and a tiny step of
// the same code (same seeds) must match the CPU reference backend: loss and every gradient.
import { compareWithCpu, useGpuBackend } from './backend.js';
import type { TrainingCase } from './case.js';
import { colorizationStepFlops, simclrStepFlops, transformerStepFlops } from './flops.js';
import { mlmBatch } from './mlm-batch.js';
import { abBins, colorization, simclr } from '@pretext/tasks';
import { noiseImages, taskStepCase } from './task-step.js';
import { tfSimclrPeer } from './tf-simclr.js';
import { tfTransformerPeer } from './tf-transformer.js';
import { type EncoderShape, transformerStep } from './transformer-step.js';

const LIMITS = { reps: 3, warmup: 1 };
const TOLERANCE = 2e-3;

const finite = (p: Float32Array) => (p.every(Number.isFinite) ? 0 : Number.POSITIVE_INFINITY);

/** The simclr task's step, Fashion-MNIST full preset (ConvNet 32/64/128, grid 2, head 512→256→64), N images × 2 views. */
export function simclrCase(n = 256): TrainingCase {
  const peerConfig = (quick?: boolean) => {
    const cfg = simclr.config('fashion-mnist', 'full', { batchSize: quick ? Math.min(n, 32) : n });
    return { width: cfg.width, grid: cfg.grid, projHidden: cfg.projHidden, projDim: cfg.projDim, tau: cfg.tau, jitter: cfg.jitter, lr: cfg.lr, weightDecay: cfg.weightDecay };
  };
  return taskStepCase({
    name: `train simclr convnet step N=${n}x2 28x28`,
    target: '≥10× tfjs, ≥35% FMA ceiling',
    task: simclr,
    dataset: 'fashion-mnist',
    preset: 'full',
    image: [1, 28, 28],
    batch: n,
    tiny: { width: 4, projHidden: 16, projDim: 8 },
    describe: (b) => `${b} images × 2 views`,
    flops: (cfg) => {
      const p = peerConfig();
      return simclrStepFlops(2 * cfg.batchSize, 28, p.width, p.projHidden, p.projDim, 1, 4 * p.width * p.grid * p.grid).stepFlops;
    },
    peer: {
      name: 'tfjs: tf.image crop/flip/jitter, conv2d + moments BN + maxPool, NT-Xent from ops, adam + decoupled decay',
      setup: (tf, opts) => tfSimclrPeer(tf, peerConfig(opts?.quick), opts?.quick ? Math.min(n, 32) : n),
    },
  });
}

/**
 * The colorization task's step, emoji full preset (ConvNet 32/64/128 on L at 32×32, decoder to
 * 16×16 logits over the ab bins the noise images use), N images. No tfjs peer.
 */
export function colorizationCase(n = 64): TrainingCase {
  return taskStepCase({
    name: `train colorization convnet+decoder step N=${n} 64x64`,
    task: colorization,
    dataset: 'emoji',
    preset: 'full',
    image: [3, 64, 64],
    batch: n,
    tiny: { width: 4, decoderWidth: 8 },
    describe: (b) => `${b} images`,
    flops: (config) => {
      const cfg = colorization.parse(config, 'bench');
      // the decoder's width is the number of bins the (noise) training images use
      const q = abBins(noiseImages(cfg.batchSize, [3, 64, 64]), { size: cfg.binSize, stride: (4 * cfg.downsample) / cfg.upsample, priorSigma: 0, lambda: 1 }).weights.length;
      return colorizationStepFlops(cfg.batchSize, 64 / cfg.downsample, cfg.width, cfg.decoderWidth, cfg.loss === 'l2' ? 2 : q, cfg.upsample).stepFlops;
    },
  });
}

const ENCODER: EncoderShape = { layers: 4, dim: 128, heads: 4, vocab: 256 };

export function transformerCase(b = 32, t = 128, shape = ENCODER): TrainingCase {
  return {
    name: `train transformer mlm step B=${b} T=${t} d=${shape.dim} L=${shape.layers}`,
    kernel: 'train',
    target: '≥3× tfjs',
    limits: LIMITS,
    async setup(gpu, opts) {
      const batch = opts?.quick ? Math.min(b, 4) : b;
      useGpuBackend(gpu);
      const s = transformerStep(shape, mlmBatch(batch, t, shape.vocab));
      return {
        items: batch * t,
        unit: 'tokens',
        batch: `${batch} × ${t} tokens`,
        run: () => s.step(),
        async check() {
          const bad = finite(await s.params());
          const tiny = () => {
            const x = transformerStep({ layers: 1, dim: 16, heads: 2, vocab: 16 }, mlmBatch(2, 8, 16, 3, 0.5));
            return x.probe().finally(() => x.dispose());
          };
          return Math.max(bad, await compareWithCpu(gpu, tiny));
        },
        tolerance: TOLERANCE,
        flops: transformerStepFlops(batch, t, shape.dim, shape.layers, shape.vocab).stepFlops,
        bytes: 0,
        dispose: () => s.dispose(),
      };
    },
    peer: {
      name: 'tfjs: gather, moments LN, matMul + softmax attention with additive mask, gelu from tanh, softmaxCrossEntropy, adam + decoupled decay',
      setup: (tf, opts) => tfTransformerPeer(tf, shape, mlmBatch(opts?.quick ? Math.min(b, 4) : b, t, shape.vocab)),
    },
  };
}

export const trainingBenches: TrainingCase[] = [simclrCase(), colorizationCase(), transformerCase()];
