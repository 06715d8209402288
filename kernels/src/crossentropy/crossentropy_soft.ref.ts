// CPU reference for crossentropy_soft.wgsl in float64: −Σ_k q_k·log softmax(x_r)[idx_k] per row,
// weighted, as PyTorch's F.cross_entropy with class-probability targets (dense q = the sparse
// pairs scattered) times a per-row weight. logits (N, C, S…) with classes on axis 1.
export interface SoftCrossEntropyRefResult {
  loss: number;
  lse: Float64Array;
  accuracy: number;
}

interface Rows {
  rows: number;
  /** x[r, j], the K pairs of row r, w_r */
  at: (r: number, j: number) => number;
  pair: (r: number, k: number) => [number, number];
  weight: (r: number) => number;
  C: number;
  K: number;
}

function rowsOf(logits: ArrayLike<number>, shape: readonly number[], index: ArrayLike<number>, prob: ArrayLike<number>, K: number, weight?: ArrayLike<number>): Rows {
  const [n, C] = shape;
  const S = shape.slice(2).reduce((a, b) => a * b, 1);
  return {
    rows: n * S,
    C,
    K,
    at: (r, j) => logits[Math.floor(r / S) * C * S + j * S + (r % S)],
    pair: (r, k) => {
      const o = Math.floor(r / S) * K * S + k * S + (r % S);
      return [index[o], prob[o]];
    },
    weight: (r) => (weight ? weight[r] : 1),
  };
}

/** K is index.length / (rows): the pairs per row. */
export function softCrossEntropyRef(
  logits: ArrayLike<number>,
  shape: readonly number[],
  index: ArrayLike<number>,
  prob: ArrayLike<number>,
  opts: { weight?: ArrayLike<number>; reduction?: 'mean' | 'sum' } = {},
): SoftCrossEntropyRefResult {
  const R = rowsOf(logits, shape, index, prob, index.length / (logits.length / shape[1]), opts.weight);
  const lse = new Float64Array(R.rows);
  let total = 0;
  let hits = 0;
  for (let r = 0; r < R.rows; r++) {
    let m = Number.NEGATIVE_INFINITY;
    let arg = 0;
    for (let j = 0; j < R.C; j++) {
      if (R.at(r, j) > m) {
        m = R.at(r, j);
        arg = j;
      }
    }
    let s = 0;
    for (let j = 0; j < R.C; j++) s += Math.exp(R.at(r, j) - m);
    lse[r] = m + Math.log(s);
    let l = 0;
    for (let k = 0; k < R.K; k++) {
      const [c, q] = R.pair(r, k);
      l += c >= 0 && c < R.C ? q * (lse[r] - R.at(r, c)) : Number.NaN;
    }
    total += R.weight(r) * l;
    if (arg === R.pair(r, 0)[0]) hits++;
  }
  return { loss: (opts.reduction ?? 'mean') === 'mean' ? total / R.rows : total, lse, accuracy: hits / R.rows };
}

/** dlogits = g·w_r·(Σq·softmax − q), g = dloss / rows (mean) or dloss (sum), in the logits' layout. */
export function softCrossEntropyBackwardRef(
  logits: ArrayLike<number>,
  shape: readonly number[],
  index: ArrayLike<number>,
  prob: ArrayLike<number>,
  dloss: number,
  opts: { weight?: ArrayLike<number>; reduction?: 'mean' | 'sum' } = {},
): Float64Array {
  const { lse } = softCrossEntropyRef(logits, shape, index, prob, opts);
  const R = rowsOf(logits, shape, index, prob, index.length / lse.length, opts.weight);
  const [, C] = shape;
  const S = lse.length / shape[0];
  const g = (opts.reduction ?? 'mean') === 'mean' ? dloss / R.rows : dloss;
  const dx = new Float64Array(logits.length);
  for (let r = 0; r < R.rows; r++) {
    const pairs = Array.from({ length: R.K }, (_, k) => R.pair(r, k));
    const bad = pairs.some(([c]) => !(c >= 0 && c < C));
    const qsum = pairs.reduce((a, [, q]) => a + q, 0);
    for (let j = 0; j < C; j++) {
      const target = pairs.reduce((a, [c, q]) => a + (c === j ? q : 0), 0);
      const o = Math.floor(r / S) * C * S + j * S + (r % S);
      dx[o] = bad ? Number.NaN : g * R.weight(r) * (qsum * Math.exp(R.at(r, j) - lse[r]) - target);
    }
  }
  return dx;
}
