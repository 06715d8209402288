// Colorization (Zhang, Isola & Efros 2016, "Colorful Image Colorization"): the encoder sees only
// the lightness L of an image and an upsampling decoder predicts its colour, ab of CIELAB, per
// pixel at a quarter of the input's resolution. As in the paper: a classification over the
// quantised ab bins the training data uses (grid 10), each pixel's target soft-encoded over its
// 5 nearest bins (Gaussian, σ = 5), its loss weighted by its bin's rarity (class rebalancing,
// λ = 0.5 mix with uniform, prior smoothed with σ = 5), decoded by the annealed mean (T = 0.38);
// or plain L2 regression of ab (`--loss l2`), which averages the colours of ambiguous objects
// into gray-brown — the paper's motivating failure.
import { avgPool2d, broadcastTo, concat, labToRgb, mean, mul, rgbToLab, slice, softAssign, softClassification, square, sub, type Tensor, tensor, upsample2d } from '@pretext/core';
import type { Batch, ImageDataset } from '@pretext/data';
import { Init, UpsampleDecoder } from '@pretext/models';
import { abBins } from './ab-bins.js';
import { abDistance, annealedMean, chroma, colourfulness, grayOf } from './colour-metrics.js';
import { convEncoderOptions, type DenseImageEncoder, lightnessEncoder } from './encoders.js';
import { type Objective, trainObjectives } from './objective.js';
import { type ConfigOf, DatasetError, flagOf, int, num, oneOf, OptionError } from './options.js';
import { defineTask } from './task.js';
import { trainingOptions } from './training-options.js';

export const colorizationOptions = {
  loss: oneOf('per pixel: classification over the quantised ab bins (rebalanced, soft-encoded) or L2 regression of ab', ['classification', 'l2'], 'classification'),
  binSize: num('side of the ab bins (the grid the classes quantise)', 10, { min: 1, max: 50 }),
  softK: int('soft encoding: the nearest bins a pixel\'s target spreads over', 5, { min: 1, max: 16 }),
  softSigma: num('soft encoding: σ of the Gaussian over ab distance', 5, { above: 0, max: 100 }),
  rebalance: num('class rebalancing λ: weights ∝ 1/((1 − λ)·p̃ + λ/Q); 0 inverse frequency, 1 none', 0.5, { min: 0, max: 1 }),
  priorSigma: num('σ of the Gaussian that smooths the empirical ab distribution p̃ (0: none)', 5, { min: 0, max: 100 }),
  temperature: num('annealed-mean decoding temperature T (1: the mean, → 0: the mode)', 0.38, { above: 0, max: 1 }),
  decoderWidth: int('hidden channels of the upsampling decoder', 64, { min: 1, max: 1024 }),
  upsample: int("decoder upsampling: predictions at the encoder map's resolution × this", 2, { min: 1, max: 8 }),
};
export type ColorizationObjectiveConfig = ConfigOf<typeof colorizationOptions> & { dataset: string };

/** Images a figure shows. */
const FIGURE_ITEMS = 10;

/**
 * Colour from lightness on a shared encoder: encoder.featureMap of the gray image → upsampling
 * decoder → per-pixel logits over the ab bins (or ab itself with loss l2).
 */
export function colorizationObjective(cfg: ColorizationObjectiveConfig, encoder: DenseImageEncoder, init: Init, data: ImageDataset): Objective<'image'> {
  checkColour(cfg, data, encoder.mapStride);
  const stride = encoder.mapStride / cfg.upsample;
  // the ab bins the training pixels use (at the targets' resolution), their prior and weights
  const bins = abBins(data, { size: cfg.binSize, stride, priorSigma: cfg.priorSigma, lambda: cfg.rebalance });
  const Q = bins.weights.length;
  const classify = cfg.loss === 'classification';
  const decoder = new UpsampleDecoder(init, encoder.mapChannels, cfg.decoderWidth, classify ? Q : 2, cfg.upsample);
  const centres = tensor(bins.centres, [Q, 2]);
  const weights = tensor(bins.weights, [Q]);
  const keepL = tensor([1, 0, 0], [1, 3, 1, 1]);
  const meanAb = tensor(bins.mean, [1, 2, 1, 1]);
  const targetsOf = (ab: Tensor) => softAssign(ab, centres, { k: Math.min(cfg.softK, Q), sigma: cfg.softSigma, codeWeights: weights });

  /** The network's output for RGB images: logits over the bins or ab/100, (N, Q | 2, H/stride, W/stride). */
  const predict = (rgb: Tensor) => decoder.forward(encoder.featureMap(grayOf(rgb, keepL)));
  /** One ab per prediction cell: the annealed mean of the bins (classification) or the regression. */
  const abOf = (out: Tensor, temperature = cfg.temperature) => (classify ? annealedMean(out, centres, temperature) : mul(out, 100));
  /** ab of the images average-pooled to the prediction cells, (N, 2, H/stride, W/stride). */
  const targetAb = (rgb: Tensor) => slice(rgbToLab(stride > 1 ? avgPool2d(rgb, stride) : rgb), 1, 1, 3);

  /** The pretext loss of a prediction against the images' colour, and its accuracy over bins (classification). */
  function lossOf(out: Tensor, rgb: Tensor): { loss: Tensor; metrics: Record<string, Tensor> } {
    const ab = targetAb(rgb); // (N, 2, h, w)
    if (!classify) return { loss: mean(square(sub(out, mul(ab, 0.01)))), metrics: {} };
    // each pixel's target: its K nearest bins with Gaussian weights; its weight: its nearest bin's rarity
    const t = targetsOf(ab); // index, prob (N, K, h, w); weight (N, h, w)
    const { loss, accuracy } = softClassification(out, t, { weight: t.weight });
    return { loss, metrics: { accuracy } };
  }

  return {
    name: 'colorization',
    heads: { decoder },
    loss(batch: Batch) {
      // 1. the batch as RGB; the network sees its gray version only   (N, 3, H, W)
      const rgb = tensor(batch.images, batch.shape);
      // 2. per-pixel predictions at 1/stride of the input   (N, Q, h, w) logits or (N, 2, h, w) ab/100
      const out = predict(rgb);
      // 3. against the true colour pooled to the same cells: rebalanced soft cross-entropy, or L2
      return lossOf(out, rgb);
    },

    heldOutMetrics(batch: Batch) {
      // per-pixel ab error and chroma, per-image colourfulness (Hasler–Süsstrunk): the prediction
      // (annealed mean, upsampled to the image), the predict-the-mean baseline and the truth
      const [, , h, w] = batch.shape;
      const rgb = tensor(batch.images, batch.shape); // (B, 3, H, W)
      const lab = rgbToLab(rgb);
      const [L, ab] = [slice(lab, 1, 0, 1), slice(lab, 1, 1, 3)];
      const pred = upsample2d(abOf(predict(rgb)), { size: [h, w], mode: 'bilinear' }); // (B, 2, H, W)
      const meanPred = broadcastTo(meanAb, ab.shape);
      const withAb = (x: Tensor) => labToRgb(concat([L, x], 1));
      return {
        abError: mean(abDistance(pred, ab)),
        'meanBaseline.abError': mean(abDistance(meanPred, ab)),
        chroma: mean(chroma(pred)),
        'truth.chroma': mean(chroma(ab)),
        'meanBaseline.chroma': mean(chroma(meanAb)),
        colourfulness: mean(colourfulness(withAb(pred))),
        'truth.colourfulness': mean(colourfulness(rgb)),
        'meanBaseline.colourfulness': mean(colourfulness(withAb(meanPred))),
      };
    },

    view(batch: Batch) {
      // the first FIGURE_ITEMS images: gray input, prediction(s), truth   (K, 3, H, W) each
      const [n, c, h, w] = batch.shape;
      const k = Math.min(FIGURE_ITEMS, n);
      const rgb = tensor(batch.images.subarray(0, k * c * h * w), [k, c, h, w]);
      const L = slice(rgbToLab(rgb), 1, 0, 1);
      const out = predict(rgb);
      const colour = (ab: Tensor) => labToRgb(concat([L, upsample2d(ab, { size: [h, w], mode: 'bilinear' })], 1));
      const rows = [{ label: 'input: lightness only', images: grayOf(rgb, keepL) }];
      if (classify) {
        rows.push({ label: `prediction: annealed mean, T = ${cfg.temperature}`, images: colour(abOf(out)) });
        rows.push({ label: 'the mean of the predicted distribution (T = 1)', images: colour(abOf(out, 1)) });
      } else {
        rows.push({ label: 'prediction: L2 regression', images: colour(abOf(out)) });
      }
      rows.push({ label: 'truth', images: rgb });
      return { kind: 'rows', rows };
    },

    dispose() {
      for (const t of [centres, weights, keepL, meanAb]) t.dispose();
    },
  };
}

/** Colour images, and predictions at a whole number of pixels per cell: errors naming the option, before training. */
function checkColour(cfg: { dataset: string; upsample: number }, data: ImageDataset, mapStride: number, flag: (name: string) => string = flagOf): void {
  const [, c, h, w] = data.shape;
  if (c !== 3) throw new DatasetError(`${flag('dataset')} ${cfg.dataset}: colorization predicts colour from lightness and needs colour (RGB) images; ${data.name} has ${c} channel${c === 1 ? ' (grayscale)' : 's'}; use --dataset emoji`);
  if (mapStride % cfg.upsample || h % mapStride || w % mapStride) throw new OptionError(`${flag('upsample')} ${cfg.upsample} must divide the encoder map's stride ${mapStride}, which must divide the ${h}×${w} images`);
}

/** The checks of a colorization run (or a hybrid's colorization part) against its data, before training. */
export function checkColorization(cfg: { dataset: string; upsample: number; downsample: number }, data: ImageDataset, flag: (name: string) => string = flagOf): void {
  const mapStride = 4 * cfg.downsample; // the ConvNet's map: downsample, then two 2×2 pools
  const [, , h, w] = data.shape;
  if (h % mapStride || w % mapStride) throw new OptionError(`${flag('downsample')} ${cfg.downsample}: the encoder's map has stride 4·${cfg.downsample} = ${mapStride}, which must divide the ${h}×${w} images`);
  checkColour(cfg, data, mapStride, flag);
}

// emoji (3050 train drawings, 64×64): the encoder sees L at 32×32 (downsample 2), its 8×8 map
// is decoded to 16×16 predictions (a quarter of the image, as the paper's 56×56 for 224×224).
// quick, measured at 927380a: linear probe 65.1% (random init 57.5%, raw pixels 56.6%; L2 61.0%).
export const colorization = defineTask({
  id: 'colorization',
  summary: 'Colorization (Zhang et al. 2016): L in, ab out per pixel; rebalanced soft classification over ab bins, annealed mean (or L2)',
  modality: 'image',
  options: { ...trainingOptions, ...convEncoderOptions, ...colorizationOptions },
  presets: {
    // grayscale: check() stops it with an error naming --dataset
    'fashion-mnist': { quick: {}, full: {} },
    emoji: {
      quick: { epochs: 10, batchSize: 64, width: 32, grid: 2, downsample: 2, lr: 2e-3, supervisedEpochs: 8 },
      full: { epochs: 40, batchSize: 64, width: 32, grid: 2, downsample: 2, lr: 2e-3, supervisedEpochs: 20 },
    },
  },
  check: (cfg, data) => checkColorization(cfg, data),
  encoder: lightnessEncoder,
  build(cfg, data) {
    const init = new Init(cfg.seed);
    const encoder = lightnessEncoder(cfg, data, init);
    return trainObjectives(cfg, encoder, [{ objective: colorizationObjective(cfg, encoder, init, data), weight: 1 }]);
  },
});
