// Jigsaw puzzles (Noroozi & Favaro 2016): cut a g×g grid of tiles, with gaps and jitter so that
// edges and borders do not give the order away, shuffle them by one of P permutations, and
// classify which; every tile goes through the same encoder, the features concatenated in slot order.
import { jigsaw as jigsawTiles, reshape, tensor } from '@pretext/core';
import type { Batch, ImageDataset } from '@pretext/data';
import { jigsawExtent, jigsawPermutations, permutationCount } from '@pretext/kernels';
import type { Init } from '@pretext/models';
import { checkEncoderInput, type ConvEncoderConfig, convEncoder, convEncoderOptions, trainAlone } from './encoders.js';
import { classifierHead, classifierObjective, headOptions } from './classifier.js';
import type { Objective, ClassifierView } from './objective.js';
import { type ConfigOf, flagOf, int, OptionError } from './options.js';
import { defineTask, type Encoder, type StepContext } from './task.js';
import { trainingOptions } from './training-options.js';

export const jigsawOptions = {
  ...headOptions,
  puzzle: int('tiles per side of the puzzle (g×g tiles)', 3, { min: 2, max: 4 }),
  permutations: int('P: the permutations to classify, chosen for maximal average Hamming distance (at most (g²)!)', 100, { min: 2 }),
  tileSize: int('side of a tile in pixels (default: the largest that fits the grid, gaps and jitter)', undefined, { min: 1 }),
  gap: int('pixels between neighbouring grid cells', 2, { min: 0 }),
  jitter: int('each tile moves by up to this many pixels, independently, in x and y', 1, { min: 0 }),
};
export type JigsawConfig = ConfigOf<typeof jigsawOptions>;

/** The tile side: `tileSize`, or the largest that fits g tiles, g − 1 gaps and the jitter in the image. */
export function tileSize(cfg: JigsawConfig, data: ImageDataset): number {
  const side = Math.min(data.shape[2], data.shape[3]);
  return cfg.tileSize ?? Math.floor((side - (cfg.puzzle - 1) * cfg.gap - 2 * cfg.jitter) / cfg.puzzle);
}

/** Bad puzzles before training: more permutations than exist, a grid that does not fit, tiles too small for the encoder. */
export function checkJigsaw(cfg: JigsawConfig & ConvEncoderConfig, data: ImageDataset, flag: (name: string) => string = flagOf): void {
  const total = permutationCount(cfg.puzzle);
  if (cfg.permutations > total) throw new OptionError(`${flag('permutations')} must be ≤ (g²)! = ${total} for ${flag('puzzle')} ${cfg.puzzle}, got ${cfg.permutations}`);
  const [, , h, w] = data.shape;
  const size = tileSize(cfg, data);
  const need = size >= 1 ? jigsawExtent({ grid: cfg.puzzle, size, gap: cfg.gap, jitter: cfg.jitter }) : Number.POSITIVE_INFINITY;
  if (need > Math.min(h, w)) {
    throw new OptionError(
      `${flag('puzzle')} ${cfg.puzzle} with ${flag('tileSize')} ${size >= 1 ? size : '(none fits)'}, ${flag('gap')} ${cfg.gap} and ${flag('jitter')} ${cfg.jitter} does not fit ${data.name}'s ${h}×${w} images: puzzle·tile + (puzzle − 1)·gap + 2·jitter must be ≤ ${Math.min(h, w)}${size >= 1 ? `, got ${need}` : ''}`,
    );
  }
  checkEncoderInput(cfg, size, 'a tile', flag);
}

/** Classify the permutation of g² shuffled tiles from their concatenated features. */
export function jigsawObjective(cfg: JigsawConfig & { seed: number }, encoder: Encoder, init: Init, data: ImageDataset): Objective<'image'> {
  const g = cfg.puzzle;
  const perms = jigsawPermutations(g, cfg.permutations, cfg.seed);
  const size = tileSize(cfg, data);
  const head = classifierHead(init, g * g * encoder.featureDim, cfg.hidden, cfg.permutations);
  const view = (batch: Batch, ctx: StepContext): ClassifierView => {
    const [n, c] = batch.shape;
    // 1. the puzzles: tiles in permuted order and the permutation's index   (N, g², C, t, t), (N)
    const { tiles, labels } = jigsawTiles(tensor(batch.images, batch.shape), { grid: g, size, gap: cfg.gap, jitter: cfg.jitter, permutations: perms, seed: ctx.seed });
    // 2. every tile through the shared encoder, the g² features of a puzzle side by side   (N·g², F) → (N, g²·F)
    const f = encoder.forward(reshape(tiles, [n * g * g, c, size, size]));
    // 3. logits over the P permutations   (N, P)
    const logits = head.forward(reshape(f, [n, g * g * encoder.featureDim]));
    return { kind: 'jigsaw', inputs: tiles, targets: labels, logits, permutations: perms };
  };
  return classifierObjective('jigsaw', head, view);
}

export const jigsaw = defineTask({
  id: 'jigsaw',
  summary: 'Jigsaw: classify which of P permutations shuffled a grid of tiles (gaps, jitter); one encoder for every tile',
  modality: 'image',
  options: { ...trainingOptions, ...convEncoderOptions, ...jigsawOptions },
  presets: {
    // 28×28: 3×3 tiles of 8 pixels, gap 1, jitter 1 (3·8 + 2·1 + 2·1 = 28)
    'fashion-mnist': {
      quick: { epochs: 2, batchSize: 128, trainLimit: 8192, supervisedEpochs: 1, width: 16, gap: 1, jitter: 1, lr: 2e-3, probeSelect: false },
      full: { epochs: 6, batchSize: 128, width: 32, grid: 2, gap: 1, jitter: 1, lr: 2e-3, supervisedEpochs: 1, probeEpochs: 15 },
    },
    // 64×64: 3×3 tiles of 18 pixels, gap 3, jitter 2 (3·18 + 2·3 + 2·2 = 64), pooled to 9×9 by the encoder as the 32×32 input of SimCLR's emoji presets
    emoji: {
      quick: { epochs: 10, batchSize: 64, width: 32, grid: 2, downsample: 2, gap: 3, jitter: 2, lr: 2e-3, supervisedEpochs: 8 },
      full: { epochs: 60, batchSize: 64, width: 32, grid: 2, downsample: 2, gap: 3, jitter: 2, lr: 2e-3, supervisedEpochs: 20 },
    },
  },
  check: (cfg, data) => checkJigsaw(cfg, data),
  encoder: convEncoder,
  build: (cfg, data) => trainAlone(cfg, data, (encoder, init) => jigsawObjective(cfg, encoder, init, data)),
});
