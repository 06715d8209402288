// θ_t ← m·θ_t + (1 − m)·θ_s between the parameters of two arenas (MoCo's key encoder following
// the query encoder, BYOL's target network): pairs matched by tensor, not by position, so the
// source may hold more (a hybrid's other heads) in any order.
import type { Tensor } from '../tensor.js';
import type { ParamArena } from './arena.js';

const ALIGN = 64; // as arena.ts: every parameter starts at a multiple of 64 elements

/**
 * Returns `follow(m)`, which applies the moving average to every (target, source) pair. Pairs
 * that sit back to back in both arenas form one run and one dispatch (MoCo's key encoder + head
 * against the query's: one).
 */
export function emaFollower(target: ParamArena, source: ParamArena, pairs: readonly (readonly [Tensor, Tensor])[]): (m: number) => void {
  if (target.backend !== source.backend) throw new Error('emaFollower: the arenas are on different backends');
  const offsetIn = (a: ParamArena, t: Tensor, side: string) => {
    const e = a.entries.find((x) => x.tensor === t);
    if (!e) throw new Error(`emaFollower: ${side} parameter ${t.name ?? t.toString()} is not in its arena`);
    return e.offset;
  };
  const runs: { t: number; s: number; n: number }[] = [];
  for (const [tt, st] of pairs) {
    if (tt.shape.join() !== st.shape.join()) throw new Error(`emaFollower: ${tt.name ?? 'target'} [${tt.shape}] and ${st.name ?? 'source'} [${st.shape}] differ in shape`);
    const t = offsetIn(target, tt, 'target');
    const s = offsetIn(source, st, 'source');
    const n = Math.ceil(tt.size / ALIGN) * ALIGN;
    const last = runs.at(-1);
    if (last && last.t + last.n === t && last.s + last.n === s) last.n += n;
    else runs.push({ t, s, n });
  }
  const b = target.backend;
  return (m: number) => {
    if (!(m >= 0 && m <= 1)) throw new Error(`ema: momentum must be in [0, 1], got ${m}`);
    for (const r of runs) {
      const n = Math.min(r.n, target.n - r.t, source.n - r.s);
      const tv = b.viewAt(target.flat, r.t, [n]);
      const sv = b.viewAt(source.flat, r.s, [n]);
      b.ema(tv, sv, m);
      b.release(tv);
      b.release(sv);
    }
  };
}
