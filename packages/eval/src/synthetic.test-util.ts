// Synthetic features for the protocol tests: Gaussian clusters with known structure.
import { randn, rng } from '@pretext/gpu/testing';
import type { Features } from './features.js';

/** n points, C clusters with centres N(0, sep²) in D dims and unit noise; labels = cluster. */
export function clusters(n: number, classes: number, dim: number, seed: number, sep = 4, centres?: Float32Array): { f: Features; labels: Int32Array; centres: Float32Array } {
  const mu = centres ?? randn(classes * dim, seed + 1, sep);
  const noise = randn(n * dim, seed + 2);
  const r = rng(seed + 3);
  const labels = Int32Array.from({ length: n }, () => Math.floor(r() * classes));
  const values = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) values[i * dim + j] = mu[labels[i] * dim + j] + noise[i * dim + j];
  return { f: { values, n, dim }, labels, centres: mu };
}

export function randomLabels(n: number, classes: number, seed: number): Int32Array {
  const r = rng(seed);
  return Int32Array.from({ length: n }, () => Math.floor(r() * classes));
}
