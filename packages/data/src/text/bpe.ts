// Byte-level BPE (Sennrich et al. 2016; GPT-2's byte-level variant): text is split into words
// by GPT-2's pattern, each word is UTF-8 bytes, and merges learned on the training split join the
// most frequent adjacent pair into a new token, repeatedly, until the vocabulary is full. Every
// byte is a token, so any text encodes (no unknown token) and decode(encode(s)) = s.
//
// Why our own: npm's `tokenizers` (Hugging Face's Node binding, 0.23) installs here but trains
// only with its default trainer (no vocabulary size, no byte alphabet) and has no byte-level
// decoder in JS; tokenizers.js (`@huggingface/tokenizers`), tiktoken and gpt-tokenizer only
// encode with vocabularies trained elsewhere.
import { BYTE0, checkIds, decodeTokens, NUM_SPECIAL, SEP, SPECIAL_TOKENS, startsChar, type Tokenizer, utf8 } from './tokenizer.js';

const FIRST_MERGE = BYTE0 + 256;
// GPT-2's pre-tokenizer: contractions, letters, digits, other symbols, each with one leading space; runs of whitespace
const WORDS = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

const pairKey = (a: number, b: number) => a * 65536 + b;

/** The words of a text, in order; their concatenation is the text. */
export function preTokenize(text: string): string[] {
  const out: string[] = [];
  let at = 0;
  for (const m of text.matchAll(WORDS)) {
    if (m.index > at) out.push(text.slice(at, m.index)); // (the pattern covers every character; kept for safety)
    out.push(m[0]);
    at = m.index + m[0].length;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}

/** A max-heap of (count, key), largest count first and the smaller key on ties; stale entries are skipped by the caller. */
class PairHeap {
  private counts: number[] = [];
  private keys: number[] = [];
  get size() {
    return this.counts.length;
  }
  private above(i: number, j: number) {
    return this.counts[i] > this.counts[j] || (this.counts[i] === this.counts[j] && this.keys[i] < this.keys[j]);
  }
  private swap(i: number, j: number) {
    [this.counts[i], this.counts[j]] = [this.counts[j], this.counts[i]];
    [this.keys[i], this.keys[j]] = [this.keys[j], this.keys[i]];
  }
  push(count: number, key: number) {
    this.counts.push(count);
    this.keys.push(key);
    for (let i = this.counts.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!this.above(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }
  pop(): [number, number] {
    const top: [number, number] = [this.counts[0], this.keys[0]];
    const c = this.counts.pop() as number;
    const k = this.keys.pop() as number;
    if (this.counts.length) {
      this.counts[0] = c;
      this.keys[0] = k;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.counts.length && this.above(l, m)) m = l;
        if (r < this.counts.length && this.above(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }
}

export class BpeTokenizer implements Tokenizer {
  readonly kind = 'bpe';
  readonly vocabSize: number;
  private readonly ranks = new Map<number, number>();
  /** Each token's bytes (specials: empty). */
  private readonly bytes: Uint8Array[];
  private readonly cache = new Map<string, Int32Array>();

  /** `merges[i]` = the pair of ids that token FIRST_MERGE + i joins. */
  constructor(readonly merges: readonly (readonly [number, number])[]) {
    this.bytes = [...SPECIAL_TOKENS.map(() => new Uint8Array(0)), ...Array.from({ length: 256 }, (_, b) => Uint8Array.of(b))];
    merges.forEach(([a, b], i) => {
      const id = FIRST_MERGE + i;
      if (!(a >= BYTE0 && a < id && b >= BYTE0 && b < id)) throw new Error(`BpeTokenizer: merge ${i} joins (${a}, ${b}); both must be earlier non-special tokens`);
      const joined = new Uint8Array(this.bytes[a].length + this.bytes[b].length);
      joined.set(this.bytes[a]);
      joined.set(this.bytes[b], this.bytes[a].length);
      this.bytes.push(joined);
      this.ranks.set(pairKey(a, b), i);
    });
    this.vocabSize = FIRST_MERGE + merges.length;
  }

  /**
   * Learns merges on the texts until the vocabulary holds `vocabSize` tokens (fewer when no pair
   * occurs twice). Ties between equally frequent pairs go to the smaller ids: deterministic.
   */
  static train(texts: readonly string[], vocabSize: number): BpeTokenizer {
    if (!(Number.isInteger(vocabSize) && vocabSize >= FIRST_MERGE && vocabSize <= 65536)) throw new Error(`BpeTokenizer.train: vocabSize must be an integer in [${FIRST_MERGE}, 65536] (specials + 256 bytes + merges), got ${vocabSize}`);
    // distinct words as byte-token sequences, with their counts
    const wordCount = new Map<string, number>();
    for (const t of texts) for (const w of preTokenize(t)) wordCount.set(w, (wordCount.get(w) ?? 0) + 1);
    const words: number[][] = [];
    const counts: number[] = [];
    for (const [w, c] of wordCount) {
      words.push(Array.from(utf8.encode(w), (b) => BYTE0 + b));
      counts.push(c);
    }
    // pair → total count, pair → the words that (may) hold it
    const pairCount = new Map<number, number>();
    const pairWords = new Map<number, Set<number>>();
    const addPairs = (w: number, sign: 1 | -1, touched: Set<number>) => {
      const s = words[w];
      for (let i = 0; i + 1 < s.length; i++) {
        const k = pairKey(s[i], s[i + 1]);
        pairCount.set(k, (pairCount.get(k) ?? 0) + sign * counts[w]);
        touched.add(k);
        if (sign > 0) {
          let set = pairWords.get(k);
          if (!set) pairWords.set(k, (set = new Set()));
          set.add(w);
        }
      }
    };
    const heap = new PairHeap();
    const all = new Set<number>();
    for (let w = 0; w < words.length; w++) addPairs(w, 1, all);
    for (const k of all) heap.push(pairCount.get(k) as number, k);

    const merges: [number, number][] = [];
    while (FIRST_MERGE + merges.length < vocabSize && heap.size) {
      const [count, key] = heap.pop();
      if (pairCount.get(key) !== count) continue; // stale
      if (count < 2) break;
      const a = Math.floor(key / 65536);
      const b = key % 65536;
      const id = FIRST_MERGE + merges.length;
      merges.push([a, b]);
      const touched = new Set<number>();
      for (const w of pairWords.get(key) ?? []) {
        const s = words[w];
        let holds = false;
        for (let i = 0; i + 1 < s.length; i++) if (s[i] === a && s[i + 1] === b) holds = true;
        if (!holds) continue;
        addPairs(w, -1, touched);
        words[w] = mergePair(s, a, b, id);
        addPairs(w, 1, touched);
      }
      pairWords.delete(key);
      for (const k of touched) {
        const c = pairCount.get(k) as number;
        if (c > 0) heap.push(c, k);
        else pairCount.delete(k);
      }
    }
    return new BpeTokenizer(merges);
  }

  encode(text: string): Int32Array {
    const out: number[] = [];
    for (const w of preTokenize(text)) {
      let ids = this.cache.get(w);
      if (!ids) {
        ids = this.encodeWord(w);
        if (this.cache.size < 100_000) this.cache.set(w, ids);
      }
      for (const id of ids) out.push(id);
    }
    return Int32Array.from(out);
  }

  /** The word's bytes, merged by rank: the earliest-learned pair first, all its occurrences at once. */
  private encodeWord(w: string): Int32Array {
    let s = Array.from(utf8.encode(w), (b) => BYTE0 + b);
    for (;;) {
      let best = -1;
      for (let i = 0; i + 1 < s.length; i++) {
        const r = this.ranks.get(pairKey(s[i], s[i + 1]));
        if (r !== undefined && (best < 0 || r < best)) best = r;
      }
      if (best < 0) return Int32Array.from(s);
      const [a, b] = this.merges[best];
      s = mergePair(s, a, b, FIRST_MERGE + best);
    }
  }

  decode(ids: ArrayLike<number>): string {
    checkIds('BpeTokenizer.decode', ids, this.vocabSize);
    return decodeTokens(ids, (id) => this.bytes[id]);
  }

  charsOf(id: number): number {
    if (id < NUM_SPECIAL) return id === SEP ? 1 : 0;
    let n = 0;
    for (const b of this.bytes[id]) if (startsChar(b)) n++;
    return n;
  }

  show(id: number): string {
    if (id < NUM_SPECIAL) return SPECIAL_TOKENS[id];
    const s = new TextDecoder('utf-8', { fatal: false }).decode(this.bytes[id]);
    return JSON.stringify(s);
  }

  toJSON() {
    return { kind: 'bpe' as const, merges: this.merges.map(([a, b]): [number, number] => [a, b]) };
  }
}

/** s with every (a, b), left to right, replaced by id. */
function mergePair(s: readonly number[], a: number, b: number, id: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (i + 1 < s.length && s[i] === a && s[i + 1] === b) {
      out.push(id);
      i++;
    } else out.push(s[i]);
  }
  return out;
}
