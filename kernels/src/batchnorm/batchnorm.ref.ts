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

/**
 * The windows of a fused pooling over an (N, C, H, W) map, each as the flat indices it covers:
 * k×k of stride k (⌊H/k⌋ × ⌊W/k⌋ per plane), or 'mean': the whole plane.
 */
function windows([n, c, h, w]: readonly [number, number, number, number], pool: number | 'mean'): number[][] {
  if (pool === 'mean') return Array.from({ length: n * c }, (_, o) => Array.from({ length: h * w }, (_, i) => o * h * w + i));
  const k = pool;
  const [ho, wo] = [Math.floor(h / k), Math.floor(w / k)];
  const corner = (o: number) => Math.floor(o / (ho * wo)) * h * w + Math.floor((o % (ho * wo)) / wo) * k * w + (o % wo) * k;
  return Array.from({ length: n * c * ho * wo }, (_, o) => Array.from({ length: k * k }, (_, t) => corner(o) + Math.floor(t / k) * w + (t % k)));
}

/**
 * pool(relu(batch norm(x))), x (N, C, H, W): pool k = max over each k×k cell (stride k), 'mean' =
 * the mean of each plane; training (batch stats, updated running stats returned) or eval (running).
 */
export function batchnormReluPoolRef(
  x: ArrayLike<number>,
  dims: readonly [number, number, number, number],
  gamma: ArrayLike<number>,
  beta: ArrayLike<number>,
  running: { mean: ArrayLike<number>; var: ArrayLike<number> },
  pool: number | 'mean',
  opts: { training?: boolean; momentum?: number; eps?: number } = {},
) {
  const [n, c, h, w] = dims;
  const r = batchnormRef(x, [n, c, h * w], gamma, beta, running, { training: opts.training ?? false, relu: true, momentum: opts.momentum, eps: opts.eps });
  const y = Float64Array.from(windows(dims, pool), (js) => (pool === 'mean' ? js.reduce((s, j) => s + r.y[j], 0) / js.length : Math.max(...js.map((j) => r.y[j]))));
  return { ...r, y };
}

/**
 * Training-mode backward of batchnormReluPoolRef from the pooled gradient dy: max pool sends each
 * cell's gradient to its window's first maximum, mean spreads dy/HW over the plane; then the ReLU
 * (batch norm's output > 0) and batch norm.
 */
export function batchnormReluPoolBackwardRef(
  dy: ArrayLike<number>,
  x: ArrayLike<number>,
  dims: readonly [number, number, number, number],
  gamma: ArrayLike<number>,
  beta: ArrayLike<number>,
  pool: number | 'mean',
  eps = 1e-5,
) {
  const [n, c, h, w] = dims;
  const { y } = batchnormRef(x, [n, c, h * w], gamma, beta, { mean: new Float64Array(c), var: new Float64Array(c) }, { training: true, eps });
  const g = new Float64Array(x.length);
  windows(dims, pool).forEach((js, o) => {
    if (pool === 'mean') for (const j of js) g[j] = y[j] > 0 ? dy[o] / js.length : 0;
    else {
      const at = js.reduce((best, j) => (y[j] > y[best] ? j : best));
      if (y[at] > 0) g[at] = dy[o];
    }
  });
  return batchnormBackwardRef(g, x, [n, c, h * w], gamma, eps);
}
