// CPU reference for layer norm over the last dim, float64.

export function layernormRef(x: ArrayLike<number>, weight: ArrayLike<number>, bias: ArrayLike<number>, d: number, eps = 1e-5) {
  const rows = x.length / d;
  const y = new Float64Array(x.length);
  const mean = new Float64Array(rows);
  const rstd = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += x[r * d + j];
    const mu = s / d;
    let q = 0;
    for (let j = 0; j < d; j++) q += (x[r * d + j] - mu) ** 2;
    const rs = 1 / Math.sqrt(q / d + eps);
    for (let j = 0; j < d; j++) y[r * d + j] = (x[r * d + j] - mu) * rs * weight[j] + bias[j];
    mean[r] = mu;
    rstd[r] = rs;
  }
  return { y, mean, rstd };
}

/** dx = rstd·(g − mean(g) − xhat·mean(g·xhat)) with g = dy·weight; dweight = Σ_r dy·xhat; dbias = Σ_r dy. */
export function layernormBackwardRef(dy: ArrayLike<number>, x: ArrayLike<number>, weight: ArrayLike<number>, d: number, eps = 1e-5) {
  const { mean, rstd } = layernormRef(x, weight, new Float64Array(d), d, eps);
  const rows = x.length / d;
  const dx = new Float64Array(x.length);
  const dweight = new Float64Array(d);
  const dbias = new Float64Array(d);
  for (let r = 0; r < rows; r++) {
    let sg = 0;
    let sgx = 0;
    for (let j = 0; j < d; j++) {
      const xh = (x[r * d + j] - mean[r]) * rstd[r];
      const g = dy[r * d + j] * weight[j];
      sg += g;
      sgx += g * xh;
      dweight[j] += dy[r * d + j] * xh;
      dbias[j] += dy[r * d + j];
    }
    for (let j = 0; j < d; j++) {
      const xh = (x[r * d + j] - mean[r]) * rstd[r];
      dx[r * d + j] = rstd[r] * (dy[r * d + j] * weight[j] - sg / d - (xh * sgx) / d);
    }
  }
  return { dx, dweight, dbias };
}
