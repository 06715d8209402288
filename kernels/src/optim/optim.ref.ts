// CPU references (float64) for the optimizer kernels, written from PyTorch's update rules
// (torch.optim.SGD / Adam / AdamW) and SimCLR's LARS. In place on Float64Arrays; elements
// outside every segment are left alone. `segs` as in layout.ts with defaults filled in.
import type { Segment } from './layout.js';

type Seg = Required<Segment>;
type Opt<T> = { [K in keyof T]-?: T[K] };

function forEach(segs: readonly Seg[], f: (i: number, lr: number, wd: number, s: Seg, si: number) => void, lr: number, wd: number) {
  segs.forEach((s, si) => {
    for (let i = s.start; i < s.start + s.length; i++) f(i, lr * s.lr, wd * s.weightDecay, s, si);
  });
}

/** torch.optim.SGD step (dampening 0); `state.buf` is null before the first step, as in PyTorch. */
export function sgdRef(w: Float64Array, g: ArrayLike<number>, state: { buf: Float64Array | null }, segs: readonly Seg[], o: Opt<{ lr: number; momentum: number; weightDecay: number; nesterov: boolean }>): void {
  const first = state.buf === null;
  state.buf ??= new Float64Array(w.length);
  const buf = state.buf;
  forEach(segs, (i, lr, wd) => {
    let d = g[i] + wd * w[i];
    if (o.momentum !== 0) {
      buf[i] = first ? d : o.momentum * buf[i] + d;
      d = o.nesterov ? d + o.momentum * buf[i] : buf[i];
    }
    w[i] -= lr * d;
  }, o.lr, o.weightDecay);
}

/** torch.optim.Adam (decoupled = false) / AdamW (decoupled = true) step t. */
export function adamRef(w: Float64Array, g: ArrayLike<number>, m: Float64Array, v: Float64Array, segs: readonly Seg[], o: Opt<{ lr: number; step: number; beta1: number; beta2: number; eps: number; weightDecay: number; decoupled: boolean }>): void {
  const bc1 = 1 - o.beta1 ** o.step;
  const bc2 = 1 - o.beta2 ** o.step;
  forEach(segs, (i, lr, wd) => {
    let d = g[i];
    if (o.decoupled) w[i] *= 1 - lr * wd;
    else d += wd * w[i];
    m[i] = o.beta1 * m[i] + (1 - o.beta1) * d;
    v[i] = o.beta2 * v[i] + (1 - o.beta2) * d * d;
    w[i] -= (lr / bc1) * (m[i] / (Math.sqrt(v[i]) / Math.sqrt(bc2) + o.eps));
  }, o.lr, o.weightDecay);
}

/** ‖x‖₂ per segment. */
export function segmentNormsRef(x: ArrayLike<number>, segs: readonly Pick<Seg, 'start' | 'length'>[]): Float64Array {
  return Float64Array.from(segs, (s) => {
    let acc = 0;
    for (let i = s.start; i < s.start + s.length; i++) acc += x[i] * x[i];
    return Math.sqrt(acc);
  });
}

/** SimCLR's LARS: trust = η‖w‖/(‖g‖ + λ‖w‖) on LARS segments (1 if a norm is 0); b ← μb + lr·trust·(g + λw). */
export function larsRef(w: Float64Array, g: ArrayLike<number>, buf: Float64Array, segs: readonly Seg[], o: Opt<{ lr: number; momentum: number; weightDecay: number; eta: number; nesterov: boolean }>): void {
  const wn = segmentNormsRef(w, segs);
  const gn = segmentNormsRef(g, segs);
  forEach(segs, (i, lr, wd, s, si) => {
    const trust = s.lars && wn[si] > 0 && gn[si] > 0 ? (o.eta * wn[si]) / (gn[si] + wd * wn[si]) : 1;
    const d = lr * trust * (g[i] + wd * w[i]);
    buf[i] = o.momentum * buf[i] + d;
    w[i] -= o.nesterov ? d + o.momentum * buf[i] : buf[i];
  }, o.lr, o.weightDecay);
}

export function globalNormRef(x: ArrayLike<number>): number {
  return segmentNormsRef(x, [{ start: 0, length: x.length }])[0];
}

/** torch.nn.utils.clip_grad_norm_: g · min(1, maxNorm / (‖g‖ + 1e-6)). */
export function clipByNormRef(g: ArrayLike<number>, maxNorm: number): Float64Array {
  const c = Math.min(1, maxNorm / (globalNormRef(g) + 1e-6));
  return Float64Array.from(g, (v) => v * c);
}

export function emaRef(target: ArrayLike<number>, source: ArrayLike<number>, m: number): Float64Array {
  return Float64Array.from(target, (t, i) => m * t + (1 - m) * source[i]);
}
