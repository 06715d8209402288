// Per-sample random choices of the geometric views, drawn on the CPU (@pretext/random) so the
// launcher and the reference use the same numbers: key (seed, stream of the op), counter (n, draw).
import { rand2 } from '@pretext/random';
import { STREAM } from '../pipeline.js';

const int = (u: number, lo: number, hi: number) => lo + Math.floor(u * (hi - lo + 1)); // lo..hi inclusive

/** Rotation label k ∈ {0, 1, 2, 3} (k·90° counter-clockwise) per sample. */
export function drawRotations(seed: number, n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => int(rand2(seed, STREAM.rotate, i, 0)[0], 0, 3));
}

/** Permutation index in [0, count) per sample. */
export function drawJigsaw(seed: number, n: number, count: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => int(rand2(seed, STREAM.jigsaw, i, 0)[0], 0, count - 1));
}

const factorial = (k: number): number => (k <= 1 ? 1 : k * factorial(k - 1));

/** (g²)!: how many orderings of a g×g grid's tiles exist. */
export const permutationCount = (g: number): number => factorial(g * g);

/** Every permutation of 0..k−1 in lexicographic order, row-major (k!, k). */
function allPermutations(k: number): Uint8Array {
  const out = new Uint8Array(factorial(k) * k);
  const a = Array.from({ length: k }, (_, i) => i);
  for (let row = 0; ; row++) {
    out.set(a, row * k);
    let i = k - 2; // next lexicographic permutation (Narayana)
    while (i >= 0 && a[i] >= a[i + 1]) i--;
    if (i < 0) return out;
    let j = k - 1;
    while (a[j] <= a[i]) j--;
    [a[i], a[j]] = [a[j], a[i]];
    a.splice(i + 1, k - i - 1, ...a.slice(i + 1).reverse());
  }
}

/** A seeded pool of `size` random permutations of 0..k−1 (for grids whose (g²)! is too many to list), row-major. */
function randomPermutations(k: number, size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size * k);
  for (let c = 0; c < size; c++) {
    const perm = Array.from({ length: k }, (_, i) => i);
    for (let i = k - 1; i > 0; i--) {
      const j = int(rand2(seed, STREAM.jigsaw + 100, c, i)[0], 0, i);
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
    out.set(perm, c * k);
  }
  return out;
}

const chosen = new Map<string, Int32Array>();

/**
 * `count` permutations of the g² tiles with maximal average Hamming distance, chosen greedily as
 * Noroozi & Favaro (2016) do: a seeded first pick, then each next one the candidate whose mean
 * distance to those already picked is largest (ties: the larger minimum distance, then the first).
 * Candidates are all (g²)! permutations for g ≤ 3, else a seeded pool of random ones. Row-major
 * (count, g²); cached per (g, count, seed).
 */
export function jigsawPermutations(g: number, count: number, seed = 0): Int32Array {
  const k = g * g;
  const total = permutationCount(g);
  if (!(Number.isInteger(g) && g >= 1)) throw new Error(`jigsawPermutations: grid must be an integer ≥ 1, got ${g}`);
  if (!(Number.isInteger(count) && count >= 1 && count <= total)) throw new Error(`jigsawPermutations: count must be an integer in [1, ${total}] (the (g²)! orderings of a ${g}×${g} grid), got ${count}`);
  const key = `${g},${count},${seed}`;
  const hit = chosen.get(key);
  if (hit) return hit;
  const pool = k <= 9 ? allPermutations(k) : randomPermutations(k, Math.max(count * 50, 2000), seed);
  const size = pool.length / k;
  const sum = new Float64Array(size); // Σ Hamming distance to the picked ones
  const min = new Float64Array(size).fill(Number.POSITIVE_INFINITY);
  const taken = new Uint8Array(size);
  const out = new Int32Array(count * k);
  let best = int(rand2(seed, STREAM.jigsaw + 100, size, 0)[0], 0, size - 1);
  for (let pick = 0; pick < count; pick++) {
    out.set(pool.subarray(best * k, (best + 1) * k), pick * k);
    taken[best] = 1;
    const b = best * k;
    let next = -1;
    for (let c = 0; c < size; c++) {
      if (taken[c]) continue;
      let d = 0;
      for (let i = 0, o = c * k; i < k; i++) d += pool[o + i] === pool[b + i] ? 0 : 1;
      sum[c] += d;
      if (d < min[c]) min[c] = d;
      if (next < 0 || sum[c] > sum[next] || (sum[c] === sum[next] && min[c] > min[next])) next = c;
    }
    best = next;
  }
  chosen.set(key, out);
  return out;
}

export interface JigsawLayout {
  /** Tiles per side: the grid is g×g. */
  grid: number;
  /** Side of a square tile in pixels. */
  size: number;
  /** Pixels between neighbouring cells. */
  gap: number;
  /** Each tile moves by an independent integer offset in [−jitter, jitter]². */
  jitter: number;
}

/** Pixels a jigsaw grid spans, jitter room included: g·size + (g − 1)·gap + 2·jitter. */
export const jigsawExtent = (l: JigsawLayout): number => l.grid * l.size + (l.grid - 1) * l.gap + 2 * l.jitter;

/**
 * Jigsaw puzzles (Noroozi & Favaro 2016): a g×g grid of cells of `size` + `gap` pixels at a
 * random place in the image; each cell's tile moves by its own jitter, so neither edges nor the
 * gap's width give the order away. Sample n takes permutation labels[n] (drawn in [0, count)
 * unless given): slot t holds cell perms[labels[n]][t] (cells in raster order). Returns origins
 * (n, g², 2) = (y, x) of the tile in each slot, and the labels.
 */
export function drawJigsawTiles(seed: number, n: number, h: number, w: number, l: JigsawLayout, perms: Int32Array, given?: Int32Array): { origins: Int32Array; labels: Int32Array } {
  const k = l.grid * l.grid;
  const labels = given ?? drawJigsaw(seed, n, perms.length / k);
  const extent = jigsawExtent(l);
  const step = l.size + l.gap;
  const origins = new Int32Array(2 * k * n);
  for (let i = 0; i < n; i++) {
    const [a, b] = rand2(seed, STREAM.jigsaw, i, 1);
    const oy = int(a, l.jitter, h - extent + l.jitter);
    const ox = int(b, l.jitter, w - extent + l.jitter);
    for (let t = 0; t < k; t++) {
      const cell = perms[labels[i] * k + t];
      const [jy, jx] = rand2(seed, STREAM.jigsaw, i, 2 + cell);
      origins[2 * (i * k + t)] = oy + Math.floor(cell / l.grid) * step + int(jy, -l.jitter, l.jitter);
      origins[2 * (i * k + t) + 1] = ox + (cell % l.grid) * step + int(jx, -l.jitter, l.jitter);
    }
  }
  return { origins, labels };
}

/** Neighbour cells of the 3×3 grid in label order 0..7 (raster order, centre skipped). */
export const NEIGHBOURS: readonly (readonly [number, number])[] = [[0, 0], [0, 1], [0, 2], [1, 0], [1, 2], [2, 0], [2, 1], [2, 2]];

/**
 * Context prediction (Doersch et al. 2015): a 3×3 grid of P×P cells with `gap` pixels between
 * them at a random place in the image; the centre patch and neighbour `label` each move by an
 * independent integer jitter in [−jitter, jitter]². Returns origins (n, 4) = (cy, cx, ny, nx)
 * and labels (n).
 */
export function drawPatches(seed: number, n: number, h: number, w: number, size: number, gap: number, jitter: number): { origins: Int32Array; labels: Int32Array } {
  const extent = 3 * size + 2 * gap;
  const origins = new Int32Array(4 * n);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const [a, b] = rand2(seed, STREAM.patches, i, 0);
    const oy = int(a, jitter, h - extent - jitter);
    const ox = int(b, jitter, w - extent - jitter);
    const label = int(rand2(seed, STREAM.patches, i, 1)[0], 0, 7);
    labels[i] = label;
    const [r, c] = NEIGHBOURS[label];
    const [j0, j1] = rand2(seed, STREAM.patches, i, 2);
    const [j2, j3] = rand2(seed, STREAM.patches, i, 3);
    const step = size + gap;
    origins.set([oy + step + int(j0, -jitter, jitter), ox + step + int(j1, -jitter, jitter), oy + r * step + int(j2, -jitter, jitter), ox + c * step + int(j3, -jitter, jitter)], 4 * i);
  }
  return { origins, labels };
}
