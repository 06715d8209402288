// CPU references for gather and scatterAddRows (float64 sums), rows of length D.

export function gatherRef(x: ArrayLike<number>, V: number, D: number, idx: ArrayLike<number>): Float64Array {
  const out = new Float64Array(idx.length * D);
  for (let i = 0; i < idx.length; i++) {
    const r = idx[i];
    if (r >= 0 && r < V) for (let d = 0; d < D; d++) out[i * D + d] = x[r * D + d];
  }
  return out;
}

export function scatterAddRowsRef(dy: ArrayLike<number>, D: number, idx: ArrayLike<number>, rows: number): Float64Array {
  const dx = new Float64Array(rows * D);
  for (let i = 0; i < idx.length; i++) {
    const r = idx[i];
    if (r >= 0 && r < rows) for (let d = 0; d < D; d++) dx[r * D + d] += dy[i * D + d];
  }
  return dx;
}
