// Launchers for the geometric pretext views: rotation by k·90° (RotNet), jigsaw tiles, and
// context-prediction patch pairs. Each returns the view and the i32 label per sample.
import { check, checkU32, type Gpu, type GpuArray, grid1d, outArray, params } from '@pretext/gpu';
import { checkImages } from '../images.js';
import { drawJigsaw, drawPatches, drawRotations } from './draw.js';
import source from './geometry.wgsl.js';

function launch(gpu: Gpu, kernel: string, entry: string, total: number, u: number[], buffers: GpuArray[], bytesPer: number): void {
  const pr = params(); // struct Params { total, c, h, w, g, th, tw }: always all seven fields
  for (let i = 0; i < 7; i++) pr.u32(i === 0 ? total : (u[i - 1] ?? 0));
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

/**
 * Cuts each image into a grid×grid of ⌊H/g⌋×⌊W/g⌋ tiles (remainder rows/columns dropped) and
 * orders them by permutation labels[n] of `permutations` (count, g²) (see jigsawPermutations);
 * returns tiles (N, g², C, ⌊H/g⌋, ⌊W/g⌋) and the labels.
 */
export function jigsaw(gpu: Gpu, x: GpuArray, opts: { grid: number; permutations: Int32Array; seed: number; labels?: Int32Array; out?: GpuArray }): { tiles: GpuArray; labels: GpuArray } {
  const kernel = 'augment.jigsaw';
  const [n, c, h, w] = checkImages(gpu, kernel, x);
  const g = opts.grid;
  check(Number.isInteger(g) && g >= 1 && g <= h && g <= w, kernel, 'grid', () => `must be an integer in [1, min(H, W) = ${Math.min(h, w)}], got ${g}`);
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
  const [th, tw] = [Math.floor(h / g), Math.floor(w / g)];
  const tiles = outArray(gpu, kernel, [n, k, c, th, tw], opts.out);
  const labels = gpu.upload(opts.labels ?? drawJigsaw(opts.seed, n, count), [n], `${kernel}.labels`);
  const table = gpu.upload(perms, [count, k], `${kernel}.permutations`);
  launch(gpu, kernel, 'jigsaw', n * k * c * th * tw, [c, h, w, g, th, tw], [x, labels, tiles, table], 8);
  gpu.free(table);
  return { tiles, labels };
}

/**
 * Context prediction pairs: (N, 2, C, size, size) = (centre patch, neighbour patch) and the
 * neighbour's label 0..7 (raster order of the 3×3 grid, centre skipped). Needs
 * H, W ≥ 3·size + 2·gap + 2·jitter.
 */
export function contextPatches(gpu: Gpu, x: GpuArray, opts: { size: number; gap: number; jitter: number; seed: number; out?: GpuArray }): { patches: GpuArray; labels: GpuArray } {
  const kernel = 'augment.patches';
  const [n, c, h, w] = checkImages(gpu, kernel, x);
  const { size, gap, jitter } = opts;
  for (const [name, v, lo] of [['size', size, 1], ['gap', gap, 0], ['jitter', jitter, 0]] as const) {
    check(Number.isInteger(v) && v >= lo, kernel, name, () => `must be an integer ≥ ${lo}, got ${v}`);
  }
  const need = 3 * size + 2 * gap + 2 * jitter;
  check(h >= need && w >= need, kernel, 'images', () => `${h}×${w} is smaller than 3·size + 2·gap + 2·jitter = ${need}`);
  checkU32(kernel, 'seed', opts.seed);
  const patches = outArray(gpu, kernel, [n, 2, c, size, size], opts.out);
  const { origins, labels } = drawPatches(opts.seed, n, h, w, size, gap, jitter);
  const info = gpu.upload(origins, [n, 4], `${kernel}.origins`);
  launch(gpu, kernel, 'patches', n * 2 * c * size * size, [c, h, w, 0, size], [x, info, patches], 8);
  gpu.free(info);
  return { patches, labels: gpu.upload(labels, [n], `${kernel}.labels`) };
}
