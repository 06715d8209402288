// CPU reference for matmul.wgsl, float64 accumulation:
//   C[b, m, n] = α · Σ_k op(A)[b, m, k] · op(B)[b, k, n] (+ bias[n]) (+ C0[b, m, n])
import { matmulShape } from './matmul.js';

export interface MatmulRefOptions {
  transA?: boolean;
  transB?: boolean;
  alpha?: number;
  bias?: ArrayLike<number>;
  /** The C added to (accumulate). */
  c0?: ArrayLike<number>;
}

export function matmulRef(
  a: ArrayLike<number>, aShape: readonly number[],
  b: ArrayLike<number>, bShape: readonly number[],
  opts: MatmulRefOptions = {},
): Float64Array {
  const { transA = false, transB = false, alpha = 1, bias, c0 } = opts;
  const { M, N, K, batch, strideA, strideB } = matmulShape(aShape, bShape, transA, transB);
  const out = new Float64Array(batch * M * N);
  const row = new Float64Array(N);
  for (let bi = 0; bi < batch; bi++) {
    const a0 = bi * strideA;
    const b0 = bi * strideB;
    for (let m = 0; m < M; m++) {
      row.fill(0);
      for (let k = 0; k < K; k++) {
        const av = a[a0 + (transA ? k * M + m : m * K + k)];
        if (transB) for (let n = 0; n < N; n++) row[n] += av * b[b0 + n * K + k];
        else for (let n = 0, o = b0 + k * N; n < N; n++) row[n] += av * b[o + n];
      }
      const c = (bi * M + m) * N;
      for (let n = 0; n < N; n++) out[c + n] = alpha * row[n] + (bias ? bias[n] : 0) + (c0 ? c0[c + n] : 0);
    }
  }
  return out;
}
