// CPU reference for the InfoNCE kernels, in float64. It materialises the m × n logits (the thing
// the GPU kernel never does) and differentiates by hand:
//   s_ij = q̂_i · k̂_j / τ,  loss = w Σ_i (lse_i − s_{i,pos_i}),  ∂loss/∂s_ij = w (softmax_ij − δ_ij)
//   dq̂_i = Σ_j ∂s_ij · k̂_j / τ,  dk̂_j = Σ_i ∂s_ij · q̂_i / τ,  dx = (dx̂ − x̂ (x̂ · dx̂)) / ‖x‖

export interface RefResult {
  loss: number;
  accuracy: number;
  /** Gradient w.r.t. the queries [m·d] and w.r.t. every key row (k then queue) [n·d]. */
  dQ: Float64Array;
  dK: Float64Array;
}

function normalizeRows(x: ArrayLike<number>, rows: number, d: number, on: boolean): { xh: Float64Array; r: Float64Array } {
  const xh = new Float64Array(rows * d);
  const r = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let ss = 0;
    for (let k = 0; k < d; k++) ss += x[i * d + k] ** 2;
    r[i] = on ? 1 / Math.max(Math.sqrt(ss), 1e-12) : 1;
    for (let k = 0; k < d; k++) xh[i * d + k] = x[i * d + k] * r[i];
  }
  return { xh, r };
}

/** dx = r (g − x̂ (x̂ · g)) row by row (identity when not normalising). */
function l2Back(g: Float64Array, xh: Float64Array, r: Float64Array, d: number, on: boolean): Float64Array {
  if (!on) return g;
  const out = new Float64Array(g.length);
  for (let i = 0; i < r.length; i++) {
    let dot = 0;
    for (let k = 0; k < d; k++) dot += xh[i * d + k] * g[i * d + k];
    for (let k = 0; k < d; k++) out[i * d + k] = r[i] * (g[i * d + k] - xh[i * d + k] * dot);
  }
  return out;
}

export interface RefInput {
  q: ArrayLike<number>;
  /** All key rows: k then the queue, n × d. */
  keys: ArrayLike<number>;
  m: number;
  n: number;
  d: number;
  pos: ArrayLike<number>;
  tau: number;
  maskSelf?: boolean;
  /** Of the first `ownKeyOnly` key rows only query i's positive takes part (MoCo's [l_pos | queue]). */
  ownKeyOnly?: number;
  normalize?: boolean;
  /** Loss weight w: 1/m for 'mean', 1 for 'sum'. */
  weight: number;
}

export function infonceRef(x: RefInput): RefResult {
  const { m, n, d, tau } = x;
  const on = x.normalize ?? true;
  const Q = normalizeRows(x.q, m, d, on);
  const K = normalizeRows(x.keys, n, d, on);
  const gq = new Float64Array(m * d);
  const gk = new Float64Array(n * d);
  const s = new Float64Array(n);
  let loss = 0;
  let hits = 0;
  for (let i = 0; i < m; i++) {
    let mx = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let k = 0; k < d; k++) dot += Q.xh[i * d + k] * K.xh[j * d + k];
      const excluded = (x.maskSelf && i === j) || (x.ownKeyOnly !== undefined && j < x.ownKeyOnly && j !== x.pos[i]);
      s[j] = excluded ? Number.NEGATIVE_INFINITY : dot / tau;
      mx = Math.max(mx, s[j]);
    }
    let sum = 0;
    for (let j = 0; j < n; j++) sum += Math.exp(s[j] - mx);
    const lse = mx + Math.log(sum);
    const p = x.pos[i];
    loss += lse - s[p];
    let other = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < n; j++) if (j !== p) other = Math.max(other, s[j]);
    if (s[p] > other) hits++; // a tie with another key is a miss
    for (let j = 0; j < n; j++) {
      const g = (x.weight * (Math.exp(s[j] - lse) - (j === p ? 1 : 0))) / tau;
      if (g === 0) continue;
      for (let k = 0; k < d; k++) {
        gq[i * d + k] += g * K.xh[j * d + k];
        gk[j * d + k] += g * Q.xh[i * d + k];
      }
    }
  }
  return {
    loss: x.weight * loss,
    accuracy: hits / m,
    dQ: l2Back(gq, Q.xh, Q.r, d, on),
    dK: l2Back(gk, K.xh, K.r, d, on),
  };
}

/** NT-Xent over z [2N, d]: dZ = dQ + dK of InfoNCE(z, z) with the diagonal masked. */
export function ntXentRef(z: ArrayLike<number>, m: number, d: number, tau: number, opts: { normalize?: boolean; reduction?: 'mean' | 'sum' } = {}) {
  const pos = Array.from({ length: m }, (_, i) => (i + m / 2) % m);
  const r = infonceRef({ q: z, keys: z, m, n: m, d, pos, tau, maskSelf: true, normalize: opts.normalize, weight: opts.reduction === 'sum' ? 1 : 1 / m });
  return { loss: r.loss, accuracy: r.accuracy, dZ: r.dQ.map((v, i) => v + r.dK[i]) };
}

/** Symmetric CLIP over matched pairs: mean of the image→text and text→image losses. */
export function clipRef(img: ArrayLike<number>, txt: ArrayLike<number>, m: number, d: number, tau: number, opts: { normalize?: boolean; reduction?: 'mean' | 'sum' } = {}) {
  const pos = Array.from({ length: m }, (_, i) => i);
  const weight = opts.reduction === 'sum' ? 0.5 : 1 / (2 * m);
  const a = infonceRef({ q: img, keys: txt, m, n: m, d, pos, tau, normalize: opts.normalize, weight });
  const b = infonceRef({ q: txt, keys: img, m, n: m, d, pos, tau, normalize: opts.normalize, weight });
  return {
    loss: a.loss + b.loss,
    accuracy: (a.accuracy + b.accuracy) / 2,
    dImg: a.dQ.map((v, i) => v + b.dK[i]),
    dTxt: a.dK.map((v, i) => v + b.dQ[i]),
  };
}
