// The training-step cases (`pnpm bench --only train`): the simclr, gpt and mlm tasks' own steps,
// each against the same step in tfjs-backend-webgpu. check(): after the timed-size step ran once,
// its parameters must be finite, and a tiny step of the same code (same seeds) must match the CPU
// reference backend: loss and every gradient.
import type { TokenCorpus } from '@pretext/data';
import { abBins, colorization, gpt, mlm, simclr, type TaskConfig } from '@pretext/tasks';
import type { TrainingCase } from './case.js';
import { colorizationStepFlops, simclrStepFlops, transformerStepFlops } from './flops.js';
import { generationBenches } from './generation.js';
import { imageData, noiseImages, type TaskStepSpec, taskStepCase } from './task-step.js';
import { fortunesChars, peerBatch, textBatch } from './text-batch.js';
import { tfSimclrPeer } from './tf-simclr.js';
import { encoderInferenceCase } from './inference.js';
import { tfTransformerPeer } from './tf-transformer.js';

const num = (cfg: TaskConfig, k: string) => cfg[k] as number;

/** The simclr task's step, Fashion-MNIST full preset (ConvNet 32/64/128 and its grid, 3 since 704fdc8: head 1152→256→64), N images × 2 views. */
export function simclrCase(n = 256): TrainingCase {
  const peerConfig = (quick?: boolean) => {
    const cfg = simclr.config('fashion-mnist', 'full', { batchSize: quick ? Math.min(n, 32) : n });
    return { width: cfg.width, grid: cfg.grid, projHidden: cfg.projHidden, projDim: cfg.projDim, tau: cfg.tau, jitter: cfg.jitter, lr: cfg.lr, weightDecay: cfg.weightDecay };
  };
  return taskStepCase({
    name: `train simclr convnet step N=${n}x2 28x28`,
    target: '≥10× tfjs, ≥35% FMA ceiling, ≥1.5× PyTorch CPU',
    task: simclr,
    dataset: 'fashion-mnist',
    preset: 'full',
    batch: n,
    tiny: { width: 4, projHidden: 16, projDim: 8 },
    ...imageData([1, 28, 28]),
    unit: 'images',
    items: (cfg) => cfg.batchSize,
    describe: (cfg) => `${cfg.batchSize} images × 2 views`,
    flops: (cfg) => {
      const p = peerConfig();
      return simclrStepFlops(2 * cfg.batchSize, 28, p.width, p.projHidden, p.projDim, 1, 4 * p.width * p.grid * p.grid).stepFlops;
    },
    torch: (cfg) => ({
      script: 'simclr_step.py',
      args: ['--batch', cfg.batchSize, ...(['width', 'grid', 'projHidden', 'projDim', 'tau', 'jitter'] as const).flatMap((k) => [`--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, num(cfg, k)]),
        '--lr', cfg.lr, '--weight-decay', cfg.weightDecay].map(String),
    }),
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
    batch: n,
    tiny: { width: 4, decoderWidth: 8 },
    ...imageData([3, 64, 64]),
    unit: 'images',
    items: (cfg) => cfg.batchSize,
    describe: (cfg) => `${cfg.batchSize} images`,
    flops: (config) => {
      const cfg = colorization.parse(config, 'bench');
      // the decoder's width is the number of bins the (noise) training images use
      const q = abBins(noiseImages(cfg.batchSize, [3, 64, 64]), { size: cfg.binSize, stride: (4 * cfg.downsample) / cfg.upsample, priorSigma: 0, lambda: 1 }).weights.length;
      return colorizationStepFlops(cfg.batchSize, 64 / cfg.downsample, cfg.width, cfg.decoderWidth, cfg.loss === 'l2' ? 2 : q, cfg.upsample).stepFlops;
    },
  });
}

/**
 * A language task's own step on fortunes characters, full preset (4 layers, 4 heads, d = 128):
 * gpt on stream windows of T tokens, mlm on entries padded to T (BERT's masking on the GPU).
 */
export function languageSpec(kind: 'gpt' | 'mlm', b: number, t: number): TaskStepSpec<'text'> {
  const task = kind === 'gpt' ? gpt : mlm;
  const packing = kind === 'gpt' ? 'stream' : 'entries';
  const shapeOf = (cfg: TaskConfig, vocab: number) => ({
    layers: num(cfg, 'layers'), dim: num(cfg, 'dim'), heads: num(cfg, 'heads'), vocab, causal: kind === 'gpt', lr: cfg.lr, weightDecay: cfg.weightDecay,
  });
  return {
    name: `train ${kind} step B=${b} T=${t} d=128 L=4`,
    target: '≥5× tfjs, ≥1× PyTorch CPU',
    task,
    dataset: 'fortunes',
    preset: 'full',
    batch: b,
    quickBatch: 4,
    options: { context: t, dropout: 0 },
    tiny: { layers: 1, dim: 16, heads: 2, context: 16, dropout: 0 },
    data: (_n, tiny) => fortunesChars(tiny),
    batchOf: (data: TokenCorpus, cfg) => textBatch(data, cfg.batchSize, num(cfg, 'context'), packing),
    unit: 'tokens',
    items: (cfg) => cfg.batchSize * num(cfg, 'context'),
    describe: (cfg) => `${cfg.batchSize} × ${num(cfg, 'context')} tokens (${packing === 'stream' ? 'stream windows' : 'entries, padded'})`,
    torch: (cfg) => ({
      script: 'lm_step.py',
      args: ['--task', kind, '--batch', cfg.batchSize, '--context', num(cfg, 'context'), '--layers', num(cfg, 'layers'), '--dim', num(cfg, 'dim'),
        '--heads', num(cfg, 'heads'), '--vocab', fortunesChars().tokenizer.vocabSize, '--lr', cfg.lr, '--weight-decay', cfg.weightDecay].map(String),
    }),
    flops: (cfg) => transformerStepFlops(cfg.batchSize, num(cfg, 'context'), num(cfg, 'dim'), num(cfg, 'layers'), fortunesChars().tokenizer.vocabSize).stepFlops,
    peer: {
      name: `tfjs: gather, moments LN, matMul + softmax attention with additive ${kind === 'gpt' ? 'causal ' : ''}mask, gelu from tanh, softmaxCrossEntropy, adam + decoupled decay`,
      setup: async (tf, opts) => {
        const n = opts?.quick ? Math.min(b, 4) : b;
        const cfg = task.config('fortunes', 'full', { context: t, batchSize: n });
        const data = fortunesChars();
        return tfTransformerPeer(tf, shapeOf(cfg, data.tokenizer.vocabSize), await peerBatch(textBatch(data, n, t, packing), data.tokenizer.vocabSize, kind));
      },
    },
  };
}

export const gptCase = (b = 32, t = 64): TrainingCase => taskStepCase(languageSpec('gpt', b, t));
export const mlmCase = (b = 32, t = 128): TrainingCase => taskStepCase(languageSpec('mlm', b, t));

export const trainingBenches: TrainingCase[] = [simclrCase(), colorizationCase(), gptCase(), mlmCase(), encoderInferenceCase(), ...generationBenches];
