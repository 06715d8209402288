// Character tokenizer: the characters of the training text, each one token; any other character
// is encoded as its UTF-8 bytes (byte fallback). Ids: special tokens, 256 bytes, characters.
import { BYTE0, checkIds, decodeTokens, NUM_SPECIAL, SPECIAL_TOKENS, type Tokenizer, utf8 } from './tokenizer.js';

const CHAR0 = BYTE0 + 256;

export class CharTokenizer implements Tokenizer {
  readonly kind = 'char';
  readonly vocabSize: number;
  private readonly ids = new Map<string, number>();

  /** `chars`: the learned characters, in id order. */
  constructor(readonly chars: readonly string[]) {
    chars.forEach((c, i) => {
      if ([...c].length !== 1) throw new Error(`CharTokenizer: '${c}' is not one character`);
      if (this.ids.has(c)) throw new Error(`CharTokenizer: '${c}' appears twice`);
      this.ids.set(c, CHAR0 + i);
    });
    this.vocabSize = CHAR0 + chars.length;
  }

  /** Every character of the texts, most frequent first (ties by code point). */
  static train(texts: readonly string[]): CharTokenizer {
    const counts = new Map<string, number>();
    for (const t of texts) for (const c of t) counts.set(c, (counts.get(c) ?? 0) + 1);
    const chars = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([c]) => c);
    return new CharTokenizer(chars);
  }

  encode(text: string): Int32Array {
    const out: number[] = [];
    for (const c of text) {
      const id = this.ids.get(c);
      if (id !== undefined) out.push(id);
      else for (const b of utf8.encode(c)) out.push(BYTE0 + b);
    }
    return Int32Array.from(out);
  }

  decode(ids: ArrayLike<number>): string {
    checkIds('CharTokenizer.decode', ids, this.vocabSize);
    return decodeTokens(ids, (id) => (id < CHAR0 ? Uint8Array.of(id - BYTE0) : this.chars[id - CHAR0]));
  }

  charsOf(id: number): number {
    if (id < NUM_SPECIAL) return id === SPECIAL_TOKENS.indexOf('[SEP]') ? 1 : 0;
    return id >= CHAR0 || ((id - BYTE0) & 0xc0) !== 0x80 ? 1 : 0;
  }

  show(id: number): string {
    if (id < NUM_SPECIAL) return SPECIAL_TOKENS[id];
    if (id < CHAR0) return `<0x${(id - BYTE0).toString(16).padStart(2, '0')}>`;
    return JSON.stringify(this.chars[id - CHAR0]);
  }

  toJSON() {
    return { kind: 'char' as const, chars: [...this.chars] };
  }
}
