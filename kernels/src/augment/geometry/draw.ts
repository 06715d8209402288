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

/**
 * `count` permutations of g² tiles chosen greedily for large minimum Hamming distance from a
 * pool of random ones (Noroozi & Favaro 2016 pick theirs the same way); row-major (count, g²).
 */
export function jigsawPermutations(g: number, count: number, seed = 0): Int32Array {
  const k = g * g;
  const pool = Array.from({ length: Math.max(count * 10, 64) }, (_, c) => {
    const perm = Array.from({ length: k }, (_, i) => i);
    for (let i = k - 1; i > 0; i--) {
      const j = int(rand2(seed, STREAM.jigsaw + 100, c, i)[0], 0, i);
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
    return perm;
  });
  const minDist = new Array(pool.length).fill(Number.POSITIVE_INFINITY);
  const out = new Int32Array(count * k);
  for (let pick = 0; pick < count; pick++) {
    let best = 0;
    for (let c = 1; c < pool.length; c++) if (minDist[c] > minDist[best]) best = c;
    out.set(pool[best], pick * k);
    for (let c = 0; c < pool.length; c++) {
      let d = 0;
      for (let i = 0; i < k; i++) d += pool[c][i] === pool[best][i] ? 0 : 1;
      minDist[c] = Math.min(minDist[c], d);
    }
  }
  return out;
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
