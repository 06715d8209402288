// CPU reference for batch norm over (N, C, HW), float64.

/** x is (N, C, HW) flattened. Training uses batch stats; eval uses runningMean/runningVar; relu: max(0, y). */
export function batchnormRef(
  x: ArrayLike<number>,
  [n, c, hw]: readonly [number, number, number],
  gamma: ArrayLike<number>,
  beta: ArrayLike<number>,
  running: { mean: ArrayLike<number>; var: ArrayLike<number> },
  opts: { training: boolean; relu?: boolean; momentum?: number; eps?: number },
) {
  const eps = opts.eps ?? 1e-5;
  const mom = opts.momentum ?? 0.1;
  const m = n * hw;
  const mean = new Float64Array(c);
  const invstd = new Float64Array(c);
  const runningMean = Float64Array.from(running.mean);
  const runningVar = Float64Array.from(running.var);
  const idx = (ch: number, i: number) => (Math.floor(i / hw) * c + ch) * hw + (i % hw);
  for (let ch = 0; ch < c; ch++) {
    if (opts.training) {
      let s = 0;
      for (let i = 0; i < m; i++) s += x[idx(ch, i)];
      const mu = s / m;
      let q = 0;
      for (let i = 0; i < m; i++) q += (x[idx(ch, i)] - mu) ** 2;
      mean[ch] = mu;
      invstd[ch] = 1 / Math.sqrt(q / m + eps);
      runningMean[ch] = (1 - mom) * runningMean[ch] + mom * mu;
      runningVar[ch] = (1 - mom) * runningVar[ch] + (mom * q) / (m - 1);
    } else {
      mean[ch] = running.mean[ch];
      invstd[ch] = 1 / Math.sqrt(running.var[ch] + eps);
    }
  }
  const y = new Float64Array(x.length);
  for (let i = 0; i < y.length; i++) {
    const ch = Math.floor(i / hw) % c;
    y[i] = (x[i] - mean[ch]) * invstd[ch] * gamma[ch] + beta[ch];
    if (opts.relu) y[i] = Math.max(0, y[i]);
  }
  return { y, mean, invstd, runningMean, runningVar };
}

/**
 * Training-mode gradients: dx = γ·invstd/M·(M·dy − Σdy − xhat·Σdy·xhat), dγ = Σ dy·xhat, dβ = Σ dy.
 * With reluBeta (batch norm fused with ReLU, β of the forward): dy ← dy·[xhat·γ + β > 0] first.
 */
export function batchnormBackwardRef(dy: ArrayLike<number>, x: ArrayLike<number>, dims: readonly [number, number, number], gamma: ArrayLike<number>, eps = 1e-5, reluBeta?: ArrayLike<number>) {
  const [n, c, hw] = dims;
  const m = n * hw;
  const { mean, invstd } = batchnormRef(x, dims, gamma, new Float64Array(c), { mean: new Float64Array(c), var: new Float64Array(c) }, { training: true, eps });
  const dgamma = new Float64Array(c);
  const dbeta = new Float64Array(c);
  const xhat = (i: number, ch: number) => (x[i] - mean[ch]) * invstd[ch];
  const g = Float64Array.from(dy, (d, i) => {
    const ch = Math.floor(i / hw) % c;
    return reluBeta && !(xhat(i, ch) * gamma[ch] + reluBeta[ch] > 0) ? 0 : d;
  });
  for (let i = 0; i < x.length; i++) {
    const ch = Math.floor(i / hw) % c;
    dgamma[ch] += g[i] * xhat(i, ch);
    dbeta[ch] += g[i];
  }
  const dx = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const ch = Math.floor(i / hw) % c;
    dx[i] = ((gamma[ch] * invstd[ch]) / m) * (m * g[i] - dbeta[ch] - xhat(i, ch) * dgamma[ch]);
  }
  return { dx, dgamma, dbeta };
}

/** The k×k windows (stride k) of an (N, C, H, W) map: cell o's first element's flat index. */
function windows([n, c, h, w]: readonly [number, number, number, number], k: number) {
  const [ho, wo] = [Math.floor(h / k), Math.floor(w / k)];
  const corner = (o: number) => Math.floor(o / (ho * wo)) * h * w + Math.floor((o % (ho * wo)) / wo) * k * w + (o % wo) * k;
  return { ho, wo, cells: n * c * ho * wo, corner, taps: (o: number) => Array.from({ length: k * k }, (_, t) => corner(o) + Math.floor(t / k) * w + (t % k)) };
}

/**
 * max over each k×k cell (stride k, ⌊H/k⌋ × ⌊W/k⌋ cells) of relu(batch norm(x)), x (N, C, H, W);
 * training (batch stats, updated running stats returned) or eval (running stats).
 */
export function batchnormReluMaxPoolRef(
  x: ArrayLike<number>,
  dims: readonly [number, number, number, number],
  gamma: ArrayLike<number>,
  beta: ArrayLike<number>,
  running: { mean: ArrayLike<number>; var: ArrayLike<number> },
  k: number,
  opts: { training?: boolean; momentum?: number; eps?: number } = {},
) {
  const [n, c, h, w] = dims;
  const r = batchnormRef(x, [n, c, h * w], gamma, beta, running, { training: opts.training ?? false, relu: true, momentum: opts.momentum, eps: opts.eps });
  const win = windows(dims, k);
  const y = Float64Array.from({ length: win.cells }, (_, o) => Math.max(...win.taps(o).map((j) => r.y[j])));
  return { ...r, y };
}

/**
 * Training-mode backward of batchnormReluMaxPoolRef from the pooled gradient dy: each cell's
 * gradient goes to its window's first maximum of batch norm's output if that is > 0 (max pool's,
 * then ReLU's backward), then through batch norm.
 */
export function batchnormReluMaxPoolBackwardRef(
  dy: ArrayLike<number>,
  x: ArrayLike<number>,
  dims: readonly [number, number, number, number],
  gamma: ArrayLike<number>,
  beta: ArrayLike<number>,
  k: number,
  eps = 1e-5,
) {
  const [n, c, h, w] = dims;
  const { y } = batchnormRef(x, [n, c, h * w], gamma, beta, { mean: new Float64Array(c), var: new Float64Array(c) }, { training: true, eps });
  const win = windows(dims, k);
  const g = new Float64Array(x.length);
  for (let o = 0; o < win.cells; o++) {
    const at = win.taps(o).reduce((best, j) => (y[j] > y[best] ? j : best));
    if (y[at] > 0) g[at] = dy[o];
  }
  return batchnormBackwardRef(g, x, [n, c, h * w], gamma, eps);
}
