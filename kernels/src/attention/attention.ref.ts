// CPU reference for attention: materialises the full (Tq, Tk) score matrix per head, float64.
export interface AttentionRefInput {
  q: ArrayLike<number>; k: ArrayLike<number>; v: ArrayLike<number>;
  b: number; h: number; tq: number; tk: number; d: number;
  scale?: number;
  mask?: { data: ArrayLike<number>; additive: boolean }; // (B, Tk)
  causal?: boolean;
  causalOffset?: number;
}

/** P (BH, Tq, Tk) = softmax(scale·Q·Kᵀ + mask), rows of zeros where fully masked; and L (BH, Tq). */
export function attentionProbsRef(a: AttentionRefInput): { p: Float64Array; lse: Float64Array } {
  const { b, h, tq, tk, d } = a;
  const scale = a.scale ?? 1 / Math.sqrt(d);
  const p = new Float64Array(b * h * tq * tk);
  const lse = new Float64Array(b * h * tq);
  const s = new Float64Array(tk);
  for (let bh = 0; bh < b * h; bh++) {
    const bi = Math.floor(bh / h);
    for (let i = 0; i < tq; i++) {
      let m = -Infinity;
      for (let j = 0; j < tk; j++) {
        let acc = 0;
        for (let c = 0; c < d; c++) acc += a.q[(bh * tq + i) * d + c] * a.k[(bh * tk + j) * d + c];
        let sj = scale * acc;
        if (a.causal && j > i + (a.causalOffset ?? 0)) sj = -Infinity;
        if (a.mask) {
          const mv = a.mask.data[bi * tk + j];
          if (a.mask.additive) sj += mv;
          else if (mv === 0) sj = -Infinity;
        }
        s[j] = sj;
        m = Math.max(m, sj);
      }
      const row = (bh * tq + i) * tk;
      if (m === -Infinity) {
        lse[bh * tq + i] = -Infinity;
        continue;
      }
      let sum = 0;
      for (let j = 0; j < tk; j++) sum += Math.exp(s[j] - m);
      for (let j = 0; j < tk; j++) p[row + j] = Math.exp(s[j] - m) / sum;
      lse[bh * tq + i] = m + Math.log(sum);
    }
  }
  return { p, lse };
}

export function attentionRef(a: AttentionRefInput): { out: Float64Array; lse: Float64Array } {
  const { b, h, tq, tk, d } = a;
  const { p, lse } = attentionProbsRef(a);
  const out = new Float64Array(b * h * tq * d);
  for (let bh = 0; bh < b * h; bh++)
    for (let i = 0; i < tq; i++)
      for (let j = 0; j < tk; j++) {
        const pij = p[(bh * tq + i) * tk + j];
        if (pij === 0) continue;
        for (let c = 0; c < d; c++) out[(bh * tq + i) * d + c] += pij * a.v[(bh * tk + j) * d + c];
      }
  return { out, lse };
}

/** dQ, dK, dV through the full matrices: dP = dO·Vᵀ, dS = P ⊙ (dP − rowsum(dP ⊙ P)), dQ = scale·dS·K, dK = scale·dSᵀ·Q, dV = Pᵀ·dO. */
export function attentionBackwardRef(a: AttentionRefInput, dout: ArrayLike<number>): { dq: Float64Array; dk: Float64Array; dv: Float64Array } {
  const { b, h, tq, tk, d } = a;
  const scale = a.scale ?? 1 / Math.sqrt(d);
  const { p } = attentionProbsRef(a);
  const dq = new Float64Array(b * h * tq * d);
  const dk = new Float64Array(b * h * tk * d);
  const dv = new Float64Array(b * h * tk * d);
  const dp = new Float64Array(tk);
  for (let bh = 0; bh < b * h; bh++)
    for (let i = 0; i < tq; i++) {
      const row = (bh * tq + i) * tk;
      let rs = 0;
      for (let j = 0; j < tk; j++) {
        let acc = 0;
        for (let c = 0; c < d; c++) acc += dout[(bh * tq + i) * d + c] * a.v[(bh * tk + j) * d + c];
        dp[j] = acc;
        rs += acc * p[row + j];
      }
      for (let j = 0; j < tk; j++) {
        const pij = p[row + j];
        const ds = pij * (dp[j] - rs);
        for (let c = 0; c < d; c++) {
          dq[(bh * tq + i) * d + c] += scale * ds * a.k[(bh * tk + j) * d + c];
          dk[(bh * tk + j) * d + c] += scale * ds * a.q[(bh * tq + i) * d + c];
          dv[(bh * tk + j) * d + c] += pij * dout[(bh * tq + i) * d + c];
        }
      }
    }
  return { dq, dk, dv };
}
