// CPU twin of mlmmask.wgsl, bit for bit (the same integer quotas, Threefry keys, ranks and roles).
import { threefry2x32 } from '@pretext/random';

export interface MlmMaskSpec {
  b: number;
  t: number;
  vocab: number;
  /** Ids below it are never chosen. */
  special: number;
  maskId: number;
  /** Shares × 10⁴: chosen of the non-special tokens, [MASK] and random of the chosen. */
  rateQ: number;
  maskQ: number;
  randomQ: number;
  seed: number;
  stream: number;
  ignore: number;
}

const quota = (n: number, q: number) => Math.floor((n * q + 5000) / 10000);
const rowQuota = (n: number, q: number) => (n === 0 ? 0 : Math.max(1, quota(n, q)));

/** The corrupted ids (B, T) and the targets (B·T): original id where chosen, `ignore` elsewhere; with the counts. */
export function mlmMaskRef(ids: ArrayLike<number>, s: MlmMaskSpec): { inputs: Int32Array; targets: Int32Array; chosen: number; masked: number; random: number } {
  const { b: B, t: T } = s;
  const ks = Array.from({ length: B }, (_, r) => {
    let n = 0;
    for (let t = 0; t < T; t++) if (ids[r * T + t] >= s.special) n++;
    return rowQuota(n, s.rateQ);
  });
  const K = ks.reduce((a, c) => a + c, 0);
  const M = quota(K, s.maskQ);
  const R = quota(K, s.randomQ);
  const shift = threefry2x32(s.seed, s.stream, 0xffffffff, 0)[0] % Math.max(K, 1);
  const inputs = Int32Array.from(ids);
  const targets = new Int32Array(B * T).fill(s.ignore);
  let offset = 0;
  for (let r = 0; r < B; r++) {
    const base = r * T;
    const keys = Array.from({ length: T }, (_, t) => threefry2x32(s.seed, s.stream, base + t, 0)[0]);
    const ok = (t: number) => ids[base + t] >= s.special;
    for (let t = 0; t < T; t++) {
      if (!ok(t)) continue;
      let rank = 0;
      for (let u = 0; u < T; u++) if (ok(u) && (keys[u] < keys[t] || (keys[u] === keys[t] && u < t))) rank++;
      if (rank >= ks[r]) continue;
      targets[base + t] = ids[base + t];
      const x = (offset + rank + shift) % K;
      if (Math.floor(((x + 1) * M) / K) > Math.floor((x * M) / K)) inputs[base + t] = s.maskId;
      else {
        const others = K - M;
        const j = x - Math.floor((x * M) / K);
        if (Math.floor(((j + 1) * R) / others) > Math.floor((j * R) / others)) inputs[base + t] = s.special + (threefry2x32(s.seed, s.stream, base + t, 1)[0] % (s.vocab - s.special));
      }
    }
    offset += ks[r];
  }
  return { inputs, targets, chosen: K, masked: M, random: R };
}
