// The text a language task trains and evaluates on: fortunes split by entry (seeded), a tokenizer
// trained on the training split, both splits as token corpora.
import { loadFortunes, permutation, splitText, type TextDataset, textSubset, tokenizeText, trainTokenizer } from '@pretext/data';
import { OptionError } from './options.js';
import type { TextEncoderConfig } from './text-encoder.js';
import { SPLIT_SEED, TEXT_DATASETS, type TextSplits, VALID_FRACTION } from './text-splits.js';

/** Splits, tokenizer and corpora for a config; trainLimit / testLimit take seeded subsets of the entries. */
export function loadTextSplits(cfg: Pick<TextEncoderConfig, 'tokenizer' | 'vocabSize'> & { dataset: string; trainLimit?: number; testLimit?: number }, texts?: TextDataset): TextSplits {
  if (!texts && !(TEXT_DATASETS as readonly string[]).includes(cfg.dataset)) throw new OptionError(`unknown text dataset '${cfg.dataset}'; valid: ${TEXT_DATASETS.join(', ')}`);
  const all = texts ?? loadFortunes();
  const split = splitText(all, VALID_FRACTION, SPLIT_SEED);
  const cut = (d: TextDataset, n?: number) => (n && n < d.texts.length ? textSubset(d, Int32Array.from(permutation(d.texts.length, 1234).subarray(0, n)).sort(), d.name) : d);
  const train = cut(split.train, cfg.trainLimit);
  const valid = cut(split.valid, cfg.testLimit);
  const tokenizer = trainTokenizer(cfg.tokenizer, train.texts, cfg.vocabSize);
  return { tokenizer, text: { train, valid }, train: tokenizeText(train, tokenizer), valid: tokenizeText(valid, tokenizer) };
}
