// Language evaluation that needs no model: how a score in nats becomes nats per token and bits
// per character (the same function scores the model and the baselines), n-gram language models
// (unigram, bigram) as the baselines of next-token and masked-token prediction, and bag-of-
// character-n-gram features for the category baseline.
import type { Features } from './features.js';

/** Total negative log-likelihood (nats) of `tokens` predicted tokens that spell `chars` characters. */
export interface TextScore {
  nats: number;
  tokens: number;
  chars: number;
}

export function textScore(s: TextScore): { natsPerToken: number; natsPerChar: number; bitsPerChar: number } {
  return { natsPerToken: s.nats / s.tokens, natsPerChar: s.nats / s.chars, bitsPerChar: s.nats / s.chars / Math.LN2 };
}

/**
 * An n-gram model over token ids (order 1: unigram, order 2: bigram on the previous token) with
 * add-one smoothing over the tokens seen in training plus one class for every unseen token.
 */
export class NgramLm {
  private readonly counts = new Map<number, number>();
  private readonly context = new Map<number, number>();
  private readonly seen = new Set<number>();
  private total = 0;

  /** `pairs`: (previous token, token) of every training position (the previous is ignored by a unigram). */
  constructor(readonly order: 1 | 2, pairs: Iterable<[number, number]>) {
    for (const [prev, tok] of pairs) {
      const key = order === 1 ? tok : prev * 1_000_003 + tok;
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
      if (order === 2) this.context.set(prev, (this.context.get(prev) ?? 0) + 1);
      this.seen.add(tok);
      this.total++;
    }
  }

  /** −log p(tok | prev), nats. */
  nll(prev: number, tok: number): number {
    const v = this.seen.size + 1;
    const key = this.order === 1 ? tok : prev * 1_000_003 + tok;
    const n = this.order === 1 ? this.total : (this.context.get(prev) ?? 0);
    return -Math.log(((this.counts.get(key) ?? 0) + 1) / (n + v));
  }

  /** The most frequent token of training (order 1). */
  mostFrequent(): number {
    let best = -1;
    let n = -1;
    for (const [k, c] of this.counts) if (this.order === 1 && (c > n || (c === n && k < best))) [best, n] = [k, c];
    return best;
  }
}

const FNV = 0x811c9dc5;
function hash(s: string): number {
  let h = FNV;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * Bag of character n-grams (n = 1 … maxN, hashed into `dim` buckets): log(1 + count), each row L2
 * normalised. A logistic regression on these is the classic text-classification baseline.
 */
export function charNgramFeatures(texts: readonly string[], opts: { maxN?: number; dim?: number } = {}): Features {
  const maxN = opts.maxN ?? 3;
  const dim = opts.dim ?? 4096;
  const values = new Float32Array(texts.length * dim);
  texts.forEach((t, r) => {
    const row = values.subarray(r * dim, (r + 1) * dim);
    const chars = [...t.toLowerCase()];
    for (let n = 1; n <= maxN; n++) for (let i = 0; i + n <= chars.length; i++) row[hash(`${n}:${chars.slice(i, i + n).join('')}`) % dim]++;
    let s = 0;
    for (let j = 0; j < dim; j++) {
      row[j] = Math.log1p(row[j]);
      s += row[j] * row[j];
    }
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let j = 0; j < dim; j++) row[j] *= inv;
  });
  return { values, n: texts.length, dim };
}
