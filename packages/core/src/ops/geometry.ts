// The geometric views of the pretext tasks (no gradient): rotation by k·90° (RotNet), jigsaw tiles
// (Noroozi & Favaro) and context-prediction patch pairs (Doersch et al.). Each returns the view and
// its i32 label per sample; per-sample choices come from the seed, the same on every backend.
import { type JigsawLayout, jigsawExtent } from '@pretext/kernels';
import type { Storage } from '../backend.js';
import { fmt, ShapeError } from '../shape.js';
import { Tensor } from '../tensor.js';

function checkImages(op: string, x: Tensor): [number, number, number, number] {
  if (x.rank !== 4 || x.dtype !== 'f32' || (x.shape[1] !== 1 && x.shape[1] !== 3)) throw new ShapeError(op, `images must be f32 (N, C, H, W) with C = 1 or 3, got ${x.dtype} ${fmt(x.shape)}`);
  return x.shape as [number, number, number, number];
}

const wrap = (like: Tensor, s: Storage) => new Tensor(s, like.backend);

/** images (N, C, H, H) → each rotated by labels[n]·90° counter-clockwise; labels (N) drawn from `seed` unless given. */
export function rotate90(images: Tensor, opts: { seed: number; labels?: Int32Array }): { images: Tensor; labels: Tensor } {
  const [n, , h, w] = checkImages('rotate90', images);
  if (h !== w) throw new ShapeError('rotate90', `rotation by 90° needs square images, got ${fmt(images.shape)}`);
  if (opts.labels && (opts.labels.length !== n || opts.labels.some((k) => !(k >= 0 && k < 4)))) throw new ShapeError('rotate90', `labels must be ${n} values in [0, 4)`);
  const r = images.backend.rotate90(images.storage, opts.seed >>> 0, opts.labels);
  return { images: wrap(images, r.images), labels: wrap(images, r.labels) };
}

/**
 * images (N, C, H, W) → tiles (N, g², C, size, size): a g×g grid of tiles `gap` apart, each moved
 * by its own jitter, at a random place; slot t of sample n holds cell permutations[labels[n]][t]
 * (raster order). `size` defaults to the largest tile that fits. Labels (N) in [0, count).
 */
export function jigsaw(images: Tensor, opts: { grid: number; size?: number; gap?: number; jitter?: number; permutations: Int32Array; seed: number }): { tiles: Tensor; labels: Tensor } {
  const [, , h, w] = checkImages('jigsaw', images);
  const { grid, gap = 0, jitter = 0 } = opts;
  const layout: JigsawLayout = { grid, gap, jitter, size: opts.size ?? Math.floor((Math.min(h, w) - (grid - 1) * gap - 2 * jitter) / grid) };
  const ints = Object.entries(layout).every(([k, v]) => Number.isInteger(v) && v >= (k === 'gap' || k === 'jitter' ? 0 : 1));
  if (!ints || jigsawExtent(layout) > Math.min(h, w)) {
    throw new ShapeError('jigsaw', `a ${grid}×${grid} grid of ${layout.size}-pixel tiles, gap ${gap}, jitter ${jitter} needs ${jigsawExtent(layout)} pixels a side, images are ${fmt(images.shape)}`);
  }
  const r = images.backend.jigsaw(images.storage, layout, opts.permutations, opts.seed >>> 0);
  return { tiles: wrap(images, r.tiles), labels: wrap(images, r.labels) };
}

/**
 * images (N, C, H, W) → patches (N, 2, C, size, size) = (centre, one of its 8 neighbours) of a
 * 3×3 grid `gap` apart, each patch jittered; labels (N) = the neighbour's place 0..7 (raster order).
 */
export function contextPatches(images: Tensor, opts: { size: number; gap: number; jitter: number; seed: number }): { patches: Tensor; labels: Tensor } {
  const [, , h, w] = checkImages('contextPatches', images);
  const { size, gap, jitter } = opts;
  const need = 3 * size + 2 * gap + 2 * jitter;
  if (!(Number.isInteger(size) && size >= 1 && Number.isInteger(gap) && gap >= 0 && Number.isInteger(jitter) && jitter >= 0) || need > Math.min(h, w)) {
    throw new ShapeError('contextPatches', `3 patches of ${size} pixels, gap ${gap}, jitter ${jitter} need ${need} pixels a side, images are ${fmt(images.shape)}`);
  }
  const r = images.backend.contextPatches(images.storage, size, gap, jitter, opts.seed >>> 0);
  return { patches: wrap(images, r.patches), labels: wrap(images, r.labels) };
}
