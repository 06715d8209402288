// Tokenizers share one id layout: the special tokens first, then the 256 bytes (the fallback that
// encodes any text: a character the vocabulary lacks becomes its UTF-8 bytes), then what the
// tokenizer learned (characters, or BPE merges). encode → decode is the identity on any string
// that is valid Unicode (every string decoded from UTF-8 is).

export const SPECIAL_TOKENS = ['[PAD]', '[MASK]', '[CLS]', '[SEP]'] as const;
export const PAD = 0;
export const MASK = 1;
export const CLS = 2;
export const SEP = 3;
/** Ids below this are special tokens; ids [BYTE0, BYTE0 + 256) are the bytes. */
export const NUM_SPECIAL = SPECIAL_TOKENS.length;
export const BYTE0 = NUM_SPECIAL;

export type TokenizerKind = 'char' | 'bpe';

/** What a run directory stores (tokenizer.json) to rebuild the tokenizer. */
export type TokenizerJson = { kind: 'char'; chars: string[] } | { kind: 'bpe'; merges: [number, number][] };

export interface Tokenizer {
  readonly kind: TokenizerKind;
  /** Special tokens + 256 bytes + learned tokens. */
  readonly vocabSize: number;
  /** Text → ids (no special tokens). */
  encode(text: string): Int32Array;
  /** Ids → text: special tokens as their names ([PAD] dropped), bytes that do not form UTF-8 as U+FFFD. */
  decode(ids: ArrayLike<number>): string;
  /** Characters (code points) that begin in token `id` (a byte continuing a sequence begins none; [SEP] counts as one, the entry break). */
  charsOf(id: number): number;
  /** A readable form of one token (reports). */
  show(id: number): string;
  toJSON(): TokenizerJson;
}

export const utf8 = new TextEncoder();
const lenient = new TextDecoder('utf-8');

/** A UTF-8 lead byte (or ASCII) starts a character; 10xxxxxx continues one. */
export const startsChar = (byte: number): boolean => (byte & 0xc0) !== 0x80;

/**
 * Decodes a token sequence given each learned token's bytes: runs of bytes are joined and decoded
 * together, so characters split across tokens come back whole.
 */
export function decodeTokens(ids: ArrayLike<number>, bytesOf: (id: number) => Uint8Array | string): string {
  let out = '';
  let run: number[] = [];
  const flush = () => {
    if (run.length) out += lenient.decode(Uint8Array.from(run));
    run = [];
  };
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (id < NUM_SPECIAL) {
      flush();
      if (id !== PAD) out += SPECIAL_TOKENS[id];
      continue;
    }
    const b = bytesOf(id);
    if (typeof b === 'string') {
      flush();
      out += b;
    } else for (const x of b) run.push(x);
  }
  flush();
  return out;
}

/** Throws unless every id is in [0, vocab). */
export function checkIds(what: string, ids: ArrayLike<number>, vocab: number): void {
  for (let i = 0; i < ids.length; i++) {
    if (!(Number.isInteger(ids[i]) && ids[i] >= 0 && ids[i] < vocab)) throw new Error(`${what}: token id ${ids[i]} at ${i} is outside the vocabulary [0, ${vocab})`);
  }
}
