// One fixed masked-LM batch, shared by our Transformer step and its tfjs peer: byte tokens, each
// sequence padded after a random length in [T/2, T], 15% of the real tokens replaced by MASK and
// predicted (targets hold the original token there and IGNORE everywhere else).
export const PAD = 0;
export const MASK = 1;
export const IGNORE = -100;

export interface MlmBatch {
  b: number;
  t: number;
  /** (B, T) token ids. */
  ids: Int32Array;
  /** (B, T) key padding: 1 = token, 0 = padding. */
  keep: Int32Array;
  /** (B·T) target id at masked positions, IGNORE elsewhere. */
  targets: Int32Array;
}

export function mlmBatch(b: number, t: number, vocab: number, seed = 1, maskRate = 0.15): MlmBatch {
  let k = seed >>> 0;
  const rand = () => (k = (Math.imul(k, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const ids = new Int32Array(b * t);
  const keep = new Int32Array(b * t);
  const targets = new Int32Array(b * t).fill(IGNORE);
  for (let s = 0; s < b; s++) {
    const len = Math.ceil(t / 2 + rand() * (t / 2));
    for (let i = 0; i < t; i++) {
      const at = s * t + i;
      if (i >= len) continue; // PAD, not attended to, not predicted
      keep[at] = 1;
      const tok = 2 + Math.floor(rand() * (vocab - 2));
      if (rand() < maskRate) {
        ids[at] = MASK;
        targets[at] = tok;
      } else ids[at] = tok;
    }
  }
  return { b, t, ids, keep, targets };
}
