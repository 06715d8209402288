// What a language run loads (text-data.ts reads it from files): the splits, their tokenizer and corpora.
import type { TextDataset, TokenCorpus, Tokenizer } from '@pretext/data';

export const TEXT_DATASETS = ['fortunes'] as const;
/** The validation share and the split's seed: fixed, so every run and task sees the same split. */
export const VALID_FRACTION = 0.1;
export const SPLIT_SEED = 2024;

export interface TextSplits {
  tokenizer: Tokenizer;
  /** The texts as read (evaluation baselines work on characters). */
  text: { train: TextDataset; valid: TextDataset };
  train: TokenCorpus;
  valid: TokenCorpus;
}
