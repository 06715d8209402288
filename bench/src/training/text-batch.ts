// The text the language step cases train on: fortunes' training split as characters (the gpt and
// mlm presets' tokenizer), and one fixed batch of it, for our step and its peers alike.
import { mlmMask, tensor } from '@pretext/core';
import { EntryLoader, MASK, NUM_SPECIAL, StreamLoader, type TokenBatch, type TokenCorpus } from '@pretext/data';
import { loadTextSplits } from '@pretext/tasks';
import { IGNORE, type MlmBatch } from './mlm-batch.js';

let corpus: TokenCorpus | null = null;

/** The fortunes training split in characters (loaded once); `tiny`: its first 40 entries. */
export function fortunesChars(tiny = false): TokenCorpus {
  corpus ??= loadTextSplits({ dataset: 'fortunes', tokenizer: 'char', vocabSize: 2048 }).train;
  return tiny ? { ...corpus, entries: corpus.entries.slice(0, 40), labels: corpus.labels.subarray(0, 40) } : corpus;
}

/** Batch 0 of epoch 0: stream windows (gpt) or padded entries (mlm). */
export function textBatch(data: TokenCorpus, b: number, t: number, packing: 'stream' | 'entries'): TokenBatch {
  if (packing === 'stream') return new StreamLoader(data, b, { seed: 1, context: t }).batch(0, 0);
  return new EntryLoader(data, b, { seed: 1, context: t, overflow: 'truncate' }).batch(0, 0);
}

/**
 * The same batch for a peer: gpt's next tokens as targets, or mlm's corrupted once by the mlm task's
 * own op (mlmMask on the current backend: BERT's 15%, 80/10/10) and read back.
 */
export async function peerBatch(batch: TokenBatch, vocab: number, kind: 'gpt' | 'mlm'): Promise<MlmBatch> {
  const [b, t] = batch.shape;
  if (kind === 'gpt') return { b, t, ids: batch.ids, keep: batch.keep, targets: batch.targets as Int32Array };
  const ids = tensor(batch.ids, [b, t], { dtype: 'i32' });
  const m = mlmMask(ids, { vocab, special: NUM_SPECIAL, maskId: MASK, seed: 1, ignoreIndex: IGNORE });
  const [inputs, targets] = [(await m.inputs.data()) as Int32Array, (await m.targets.data()) as Int32Array];
  for (const x of [ids, m.inputs, m.targets]) x.dispose();
  return { b, t, ids: inputs, keep: batch.keep, targets };
}
