// Text: labelled entries, strict UTF-8, tokenizers (characters, byte-level BPE) and token batches
// (runs anywhere; the fortunes loader, which reads files, is in Node's entry).
import { BpeTokenizer } from './bpe.js';
import { CharTokenizer } from './char-tokenizer.js';
import type { Tokenizer, TokenizerJson, TokenizerKind } from './tokenizer.js';

export { BpeTokenizer, preTokenize } from './bpe.js';
export { CharTokenizer } from './char-tokenizer.js';
export { splitText, type TextDataset, textSubset } from './text-dataset.js';
export { BYTE0, CLS, MASK, NUM_SPECIAL, PAD, SEP, SPECIAL_TOKENS, type Tokenizer, type TokenizerJson, type TokenizerKind } from './tokenizer.js';
export { decodeUtf8, Utf8Error } from './utf8.js';
export * from './corpus.js';

/** A tokenizer trained on `texts`: characters, or byte-level BPE up to `vocabSize` tokens. */
export function trainTokenizer(kind: TokenizerKind, texts: readonly string[], vocabSize: number): Tokenizer {
  return kind === 'char' ? CharTokenizer.train(texts) : BpeTokenizer.train(texts, vocabSize);
}

/** The tokenizer a run directory's tokenizer.json describes. */
export function tokenizerFromJson(j: TokenizerJson, source: string): Tokenizer {
  if (j?.kind === 'char' && Array.isArray(j.chars)) return new CharTokenizer(j.chars);
  if (j?.kind === 'bpe' && Array.isArray(j.merges)) return new BpeTokenizer(j.merges);
  throw new Error(`${source}: not a tokenizer (expected {"kind": "char", "chars": […]} or {"kind": "bpe", "merges": […]})`);
}
