// CPU reference for crossentropy.wgsl, in float64 (PyTorch's F.cross_entropy with class-index
// targets, ignore_index and label_smoothing). logits: rows × C row-major, targets: rows.
export interface CrossEntropyRefOptions {
  ignoreIndex?: number;
  labelSmoothing?: number;
  reduction?: 'mean' | 'sum';
}

export interface CrossEntropyRefResult {
  loss: number;
  lse: Float64Array;
  count: number;
  accuracy: number;
}

export function crossEntropyRef(logits: ArrayLike<number>, targets: ArrayLike<number>, rows: number, C: number, opts: CrossEntropyRefOptions = {}): CrossEntropyRefResult {
  const { ignoreIndex = -100, labelSmoothing: eps = 0, reduction = 'mean' } = opts;
  const lse = new Float64Array(rows);
  let total = 0;
  let count = 0;
  let hits = 0;
  for (let r = 0; r < rows; r++) {
    let m = Number.NEGATIVE_INFINITY;
    let arg = 0;
    for (let j = 0; j < C; j++) {
      if (logits[r * C + j] > m) {
        m = logits[r * C + j];
        arg = j;
      }
    }
    let s = 0;
    let xs = 0;
    let ties = 0;
    for (let j = 0; j < C; j++) {
      s += Math.exp(logits[r * C + j] - m);
      xs += logits[r * C + j];
      if (logits[r * C + j] === m) ties++;
    }
    lse[r] = m + Math.log(s);
    const t = targets[r];
    if (t === ignoreIndex) continue;
    count++;
    // ℓ = lse − (1 − ε)·x_t − (ε/C)·Σx ; out-of-range targets give NaN, as the kernel
    total += t >= 0 && t < C ? lse[r] - (1 - eps) * logits[r * C + t] - (eps / C) * xs : Number.NaN;
    if (arg === t && ties === 1) hits++; // a tie for the maximum is not a correct prediction
  }
  return { loss: reduction === 'mean' ? total / count : total, lse, count, accuracy: hits / count };
}

/** dlogits = (softmax − q)·dloss/count (mean) or ·dloss (sum); zero rows where ignored. */
export function crossEntropyBackwardRef(logits: ArrayLike<number>, targets: ArrayLike<number>, rows: number, C: number, dloss: number, opts: CrossEntropyRefOptions = {}): Float64Array {
  const { ignoreIndex = -100, labelSmoothing: eps = 0, reduction = 'mean' } = opts;
  const { lse, count } = crossEntropyRef(logits, targets, rows, C, opts);
  const g = reduction === 'mean' ? dloss / count : dloss;
  const dx = new Float64Array(rows * C);
  for (let r = 0; r < rows; r++) {
    const t = targets[r];
    if (t === ignoreIndex) continue;
    for (let j = 0; j < C; j++) {
      const q = (j === t ? 1 - eps : 0) + eps / C;
      dx[r * C + j] = t >= 0 && t < C ? (Math.exp(logits[r * C + j] - lse[r]) - q) * g : Number.NaN;
    }
  }
  return dx;
}
