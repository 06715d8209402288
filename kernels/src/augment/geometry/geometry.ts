// Launchers for the geometric pretext views: rotation by k·90° (RotNet), jigsaw tiles, and
// context-prediction patch pairs. Each returns the view and the i32 label per sample.
import { check, checkU32, type Gpu, type GpuArray, grid1d, outArray, params } from '@pretext/gpu';
import { checkImages } from '../images.js';
import { drawJigsawTiles, drawPatches, drawRotations, type JigsawLayout, jigsawExtent } from './draw.js';
import source from './geometry.wgsl.js';

function launch(gpu: Gpu, kernel: string, entry: string, total: number, u: number[], buffers: GpuArray[], bytesPer: number): void {
  const pr = params(); // struct Params { total, c, h, w, k, size }: always all six fields
  for (let i = 0; i < 6; i++) pr.u32(i === 0 ? total : (u[i - 1] ?? 0));
  gpu.dispatch({
    kernel,
    pipeline: gpu.pipeline(kernel, source, undefined, entry),
    params: pr.bytes,
    buffers,
    workgroups: grid1d(Math.ceil(total / 256), gpu.limits.maxComputeWorkgroupsPerDimension),
    flops: 0,
    bytes: total * bytesPer,
  });
}

/** Given labels: one per sample, each in [0, max). */
function checkLabels(kernel: string, given: Int32Array | undefined, n: number, max: number): void {
  if (!given) return;
  check(given.length === n, kernel, 'labels', () => `need one label per sample (${n}), got ${given.length}`);
  const bad = given.findIndex((v) => !(v >= 0 && v < max));
  check(bad < 0, kernel, 'labels', () => `labels must be in [0, ${max}), got ${given[bad]} at ${bad}`);
}

/** Rotates each square image by labels[n]·90° counter-clockwise; labels drawn from `seed` unless given. */
export function rotate90(gpu: Gpu, x: GpuArray, opts: { seed: number; labels?: Int32Array; out?: GpuArray }): { images: GpuArray; labels: GpuArray } {
  const kernel = 'augment.rotate90';
  const [n, c, h, w] = checkImages(gpu, kernel, x);
  check(h === w, kernel, 'images', () => `rotation by 90° needs square images, got H = ${h}, W = ${w}`);
  checkU32(kernel, 'seed', opts.seed);
  checkLabels(kernel, opts.labels, n, 4);
  const images = outArray(gpu, kernel, x.shape, opts.out);
  const labels = gpu.upload(opts.labels ?? drawRotations(opts.seed, n), [n], `${kernel}.labels`);
  launch(gpu, kernel, 'rot90', n * c * h * w, [c, h, w], [x, labels, images], 8);
  return { images, labels };
}

/** Gathers the (N, K, C, size, size) windows at `origins` (N, K, 2) = (y, x) of the images. */
function tiles(gpu: Gpu, kernel: string, x: GpuArray, k: number, size: number, origins: Int32Array, out?: GpuArray): GpuArray {
  const [n, c, h, w] = x.shape;
  const y = outArray(gpu, kernel, [n, k, c, size, size], out);
  const info = gpu.upload(origins, [n, k, 2], `${kernel}.origins`);
  launch(gpu, kernel, 'tiles', n * k * c * size * size, [c, h, w, k, size], [x, info, y], 8);
  gpu.free(info);
  return y;
}

const checkInts = (kernel: string, values: [string, number, number][]) => {
  for (const [name, v, lo] of values) check(Number.isInteger(v) && v >= lo, kernel, name, () => `must be an integer ≥ ${lo}, got ${v}`);
};

/**
 * Jigsaw puzzles: a grid×grid of size×size tiles, `gap` pixels apart, each moved by its own
 * jitter in [−jitter, jitter]², at a random place in the image (see drawJigsawTiles), ordered by
 * permutation labels[n] of `permutations` (count, g²) (see jigsawPermutations). Returns tiles
 * (N, g², C, size, size) and the labels. `size` defaults to the largest tile that fits.
 */
export function jigsaw(gpu: Gpu, x: GpuArray, opts: { grid: number; size?: number; gap?: number; jitter?: number; permutations: Int32Array; seed: number; labels?: Int32Array; out?: GpuArray }): { tiles: GpuArray; labels: GpuArray } {
  const kernel = 'augment.jigsaw';
  const [n, , h, w] = checkImages(gpu, kernel, x);
  const { grid: g, gap = 0, jitter = 0 } = opts;
  checkInts(kernel, [['grid', g, 1], ['gap', gap, 0], ['jitter', jitter, 0]]);
  const size = opts.size ?? Math.floor((Math.min(h, w) - (g - 1) * gap - 2 * jitter) / g);
  const layout: JigsawLayout = { grid: g, size, gap, jitter };
  checkInts(kernel, [['size', size, 1]]);
  const need = jigsawExtent(layout);
  check(h >= need && w >= need, kernel, 'images', () => `${h}×${w} is smaller than grid·size + (grid − 1)·gap + 2·jitter = ${need} (grid ${g}, size ${size}, gap ${gap}, jitter ${jitter})`);
  const k = g * g;
  const perms = opts.permutations;
  check(perms.length > 0 && perms.length % k === 0, kernel, 'permutations', () => `must hold rows of ${k} entries, got ${perms.length} values`);
  const count = perms.length / k;
  for (let r = 0; r < count; r++) {
    const row = [...perms.subarray(r * k, (r + 1) * k)].sort((a, b) => a - b);
    check(row.every((v, i) => v === i), kernel, 'permutations', () => `row ${r} is not a permutation of 0..${k - 1}`);
  }
  checkU32(kernel, 'seed', opts.seed);
  checkLabels(kernel, opts.labels, n, count);
  const { origins, labels } = drawJigsawTiles(opts.seed, n, h, w, layout, perms, opts.labels);
  return { tiles: tiles(gpu, kernel, x, k, size, origins, opts.out), labels: gpu.upload(labels, [n], `${kernel}.labels`) };
}

/**
 * Context prediction pairs: (N, 2, C, size, size) = (centre patch, neighbour patch) and the
 * neighbour's label 0..7 (raster order of the 3×3 grid, centre skipped). Needs
 * H, W ≥ 3·size + 2·gap + 2·jitter.
 */
export function contextPatches(gpu: Gpu, x: GpuArray, opts: { size: number; gap: number; jitter: number; seed: number; out?: GpuArray }): { patches: GpuArray; labels: GpuArray } {
  const kernel = 'augment.patches';
  const [n, , h, w] = checkImages(gpu, kernel, x);
  const { size, gap, jitter } = opts;
  checkInts(kernel, [['size', size, 1], ['gap', gap, 0], ['jitter', jitter, 0]]);
  const need = 3 * size + 2 * gap + 2 * jitter;
  check(h >= need && w >= need, kernel, 'images', () => `${h}×${w} is smaller than 3·size + 2·gap + 2·jitter = ${need}`);
  checkU32(kernel, 'seed', opts.seed);
  const { origins, labels } = drawPatches(opts.seed, n, h, w, size, gap, jitter);
  return { patches: tiles(gpu, kernel, x, 2, size, origins, opts.out), labels: gpu.upload(labels, [n], `${kernel}.labels`) };
}
