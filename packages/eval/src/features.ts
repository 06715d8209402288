// Feature matrices: what every protocol consumes. Extracted once from a frozen encoder (eval mode,
// no gradient, one tidy scope per batch), or taken straight from the pixels for the raw baseline.
import { noGrad, type Tensor, tensor, tidy } from '@pretext/core';
import type { ImageDataset } from '@pretext/data';
import type { Module } from '@pretext/models';

/** N rows of D features, row-major (N×D). */
export interface Features {
  values: Float32Array;
  n: number;
  dim: number;
}

/** The network an evaluation freezes: images (N, C, H, W) → features (N, featureDim). */
export type Encoder = Module & { forward(x: Tensor): Tensor; featureDim: number };

/** Throws unless f is a well-formed, non-empty feature matrix. */
export function checkFeatures(op: string, what: string, f: Features): void {
  if (!f || !(f.values instanceof Float32Array)) throw new Error(`${op}: ${what} must be { values: Float32Array, n, dim }`);
  if (!(Number.isInteger(f.n) && f.n > 0 && Number.isInteger(f.dim) && f.dim > 0)) throw new Error(`${op}: ${what} is empty or malformed (n = ${f.n}, dim = ${f.dim})`);
  if (f.values.length !== f.n * f.dim) throw new Error(`${op}: ${what} has ${f.values.length} values, expected n·dim = ${f.n}·${f.dim} = ${f.n * f.dim}`);
}

/** Throws unless labels has one integer label ≥ 0 per row. */
export function checkLabels(op: string, what: string, labels: Int32Array, n: number): void {
  if (!(labels instanceof Int32Array)) throw new Error(`${op}: ${what} must be an Int32Array`);
  if (labels.length !== n) throw new Error(`${op}: ${what} has ${labels.length} entries for ${n} feature rows (counts must match)`);
  for (let i = 0; i < labels.length; i++) if (labels[i] < 0) throw new Error(`${op}: ${what}[${i}] = ${labels[i]} is negative`);
}

export function numClasses(...labelSets: Int32Array[]): number {
  let m = -1;
  for (const l of labelSets) for (let i = 0; i < l.length; i++) if (l[i] > m) m = l[i];
  return m + 1;
}

/**
 * Bytes of features a protocol uploads as one GPU tensor. Larger matrices (raw 64×64×3 emoji
 * pixels: 3050 × 12288 floats = 150 MB, over lavapipe's 128 MiB maxStorageBufferBindingSize)
 * go up in row blocks of at most this size.
 */
export const uploadLimits = { maxBytes: 64 * 1024 * 1024 };

/** [lo, hi) row ranges of f whose values each fit in uploadLimits.maxBytes. */
export function rowBlocks(f: Pick<Features, 'n' | 'dim'>): [number, number][] {
  const rows = Math.max(1, Math.floor(uploadLimits.maxBytes / (4 * f.dim)));
  const out: [number, number][] = [];
  for (let lo = 0; lo < f.n; lo += rows) out.push([lo, Math.min(f.n, lo + rows)]);
  return out;
}

/** Flattened pixels as features: the raw-pixel baseline (N, C·H·W). */
export function pixelFeatures(ds: ImageDataset): Features {
  const [n, c, h, w] = ds.shape;
  return { values: ds.images, n, dim: c * h * w };
}

/** Rows taken from f in the order of idx. */
export function selectRows(f: Features, idx: ArrayLike<number>): Features {
  const out = new Float32Array(idx.length * f.dim);
  for (let k = 0; k < idx.length; k++) out.set(f.values.subarray(idx[k] * f.dim, (idx[k] + 1) * f.dim), k * f.dim);
  return { values: out, n: idx.length, dim: f.dim };
}

/** Each row scaled to unit L2 norm (float64 norms; zero rows stay zero). */
export function l2Normalize(f: Features): Features {
  const out = new Float32Array(f.values.length);
  for (let i = 0; i < f.n; i++) {
    let s = 0;
    for (let j = 0; j < f.dim; j++) s += f.values[i * f.dim + j] ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let j = 0; j < f.dim; j++) out[i * f.dim + j] = f.values[i * f.dim + j] * inv;
  }
  return { values: out, n: f.n, dim: f.dim };
}

/**
 * Per-dimension mean and std of `fit` (float64), applied to each of `apply`: x̃ = (x − μ) / (σ + ε).
 * The linear probe standardises with the training split's statistics only.
 */
export function standardize(fit: Features, ...apply: Features[]): Features[] {
  const { n, dim } = fit;
  const mu = new Float64Array(dim);
  const sd = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mu[j] += fit.values[i * dim + j];
  for (let j = 0; j < dim; j++) mu[j] /= n;
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) sd[j] += (fit.values[i * dim + j] - mu[j]) ** 2;
  for (let j = 0; j < dim; j++) sd[j] = Math.sqrt(sd[j] / n) + 1e-6;
  return apply.map((f) => {
    if (f.dim !== dim) throw new Error(`standardize: features of dim ${f.dim} cannot use statistics of dim ${dim}`);
    const out = new Float32Array(f.values.length);
    for (let i = 0; i < f.n; i++) for (let j = 0; j < dim; j++) out[i * dim + j] = (f.values[i * dim + j] - mu[j]) / sd[j];
    return { values: out, n: f.n, dim };
  });
}

/** The frozen encoder's features for every image, batch by batch (eval mode, no gradient). */
export async function extractFeatures(encoder: Encoder, images: ImageDataset, opts: { batchSize?: number } = {}): Promise<Features> {
  const bs = opts.batchSize ?? 256;
  if (!(Number.isInteger(bs) && bs > 0)) throw new Error(`extractFeatures: batchSize must be a positive integer, got ${bs}`);
  const [n, c, h, w] = images.shape;
  if (n < 1) throw new Error(`extractFeatures: dataset '${images.name}' is empty`);
  if (images.images.length !== n * c * h * w) throw new Error(`extractFeatures: '${images.name}' holds ${images.images.length} values, shape [${images.shape}] needs ${n * c * h * w}`);
  const wasTraining = encoder.training;
  encoder.eval();
  const per = c * h * w;
  const dim = encoder.featureDim;
  const values = new Float32Array(n * dim);
  try {
    for (let lo = 0; lo < n; lo += bs) {
      const hi = Math.min(n, lo + bs);
      const f = noGrad(() => tidy(() => encoder.forward(tensor(images.images.subarray(lo * per, hi * per), [hi - lo, c, h, w])))); // (B, D)
      if (f.shape.length !== 2 || f.shape[1] !== dim) {
        f.dispose();
        throw new Error(`extractFeatures: encoder returned [${f.shape}], expected [${hi - lo}, ${dim}] (featureDim)`);
      }
      values.set(await f.data(), lo * dim);
      f.dispose();
    }
  } finally {
    encoder.train(wasTraining);
  }
  return { values, n, dim };
}
