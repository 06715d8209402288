// Evaluation data for the emoji set: a seeded split of the Google drawings for the probes, and
// the Google/Twitter drawings of every emoji as positive pairs (alignment, cross-vendor retrieval).
import { type EmojiPairs, permutation, subset } from '@pretext/data';
import type { EvalData } from './evaluate.js';

export function emojiEvalData(pairs: EmojiPairs, opts: { testFraction?: number; seed?: number } = {}): EvalData {
  const n = pairs.google.shape[0];
  const f = opts.testFraction ?? 0.2;
  if (!(f > 0 && f < 1)) throw new Error(`emojiEvalData: testFraction must be in (0, 1), got ${f}`);
  const nTest = Math.round(n * f);
  if (nTest < 1 || nTest >= n) throw new Error(`emojiEvalData: ${n} emoji are too few to split with testFraction ${f}`);
  const p = permutation(n, opts.seed ?? 0);
  return {
    name: 'emoji',
    train: subset(pairs.google, p.subarray(nTest), 'emoji/google train'),
    test: subset(pairs.google, p.subarray(0, nTest), 'emoji/google test'),
    pairs: { a: pairs.google, b: pairs.twitter, description: 'google → twitter drawing of the same emoji' },
  };
}
