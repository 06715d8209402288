// Sampling text from a causal language model, one token at a time. With the KV cache (default) the
// prompt is encoded once and each new token costs one position through the model; without it each
// token re-runs the whole window (what the cache saves: the bench compares the two).
import { noGrad, slice, type Tensor, tensor, tidy } from '@pretext/core';
import { rng } from '@pretext/random';
import { KvCache, type Transformer } from '@pretext/models';

export interface GenerateOptions {
  /** New tokens to sample. */
  tokens: number;
  /** Softmax temperature; 0 takes the most likely token (greedy). */
  temperature: number;
  /** Sample among the k most likely tokens only (default: all). */
  topK?: number;
  seed: number;
  /** Keys and values cached (default true). */
  cache?: boolean;
  /** Stop after this token (e.g. [SEP], the end of an entry). */
  stopAt?: number;
  /** Called with each new token as it is sampled (streaming). */
  onToken?: (id: number) => void;
}

/** The next token from logits (V): greedy at temperature 0, else a draw from softmax(logits/T) over the top k. */
export function sampleToken(logits: ArrayLike<number>, temperature: number, topK: number | undefined, u: number): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
  if (temperature === 0) return best;
  let ids = Array.from({ length: logits.length }, (_, i) => i);
  if (topK && topK < ids.length) ids = ids.sort((a, b) => logits[b] - logits[a]).slice(0, topK);
  const w = ids.map((i) => Math.exp((logits[i] - logits[best]) / temperature));
  let r = u * w.reduce((a, b) => a + b, 0);
  for (let k = 0; k < ids.length; k++) {
    r -= w[k];
    if (r < 0) return ids[k];
  }
  return ids[ids.length - 1];
}

/**
 * Continues `prompt` (token ids, at least one) by `tokens` sampled tokens; returns the new ids.
 * `head` maps hidden states (1, n, C) to logits (1, n, V). When the window fills, the cache is
 * rebuilt from the last half of the context (positions are learned up to maxLen only).
 */
export async function generate(model: Transformer, head: (h: Tensor) => Tensor, prompt: Int32Array, o: GenerateOptions): Promise<Int32Array> {
  if (!model.cfg.causal) throw new Error('generate: the model is bidirectional (masked LM); generation needs a causal model (gpt)');
  if (prompt.length < 1) throw new Error('generate: the prompt needs at least one token');
  if (!(o.temperature >= 0 && Number.isFinite(o.temperature))) throw new Error(`generate: temperature must be a finite number ≥ 0, got ${o.temperature}`);
  const maxLen = model.cfg.maxLen;
  const draw = rng(o.seed);
  const wasTraining = model.training;
  model.eval();
  const seq = Array.from(prompt.subarray(Math.max(0, prompt.length - maxLen)));
  const out: number[] = [];
  const cache = o.cache === false ? null : new KvCache(model.cfg, 1);
  // logits (V) of the last position after feeding `ids` (to the cache, or as the whole window)
  const step = async (ids: number[], fresh: boolean): Promise<Float32Array> => {
    const last = noGrad(() =>
      tidy(() => {
        const x = tensor(Int32Array.from(ids), [1, ids.length]);
        if (cache && fresh) cache.length = 0;
        const h = cache ? model.forwardCached(x, cache) : model.forward(x); // (1, n, C)
        return head(slice(h, 1, ids.length - 1, ids.length)); // (1, 1, V)
      }),
    );
    const v = (await last.data()) as Float32Array;
    last.dispose();
    return v;
  };
  try {
    let logits = await step(seq, true);
    for (let i = 0; i < o.tokens; i++) {
      const id = sampleToken(logits, o.temperature, o.topK, draw());
      out.push(id);
      seq.push(id);
      o.onToken?.(id);
      if (id === o.stopAt || i + 1 === o.tokens) break;
      if (!cache) logits = await step(seq.slice(Math.max(0, seq.length - maxLen)), true);
      else if (cache.length < maxLen) logits = await step([id], false);
      else logits = await step(seq.slice(seq.length - Math.ceil(maxLen / 2)), true);
    }
  } finally {
    cache?.dispose();
    model.train(wasTraining);
  }
  return Int32Array.from(out);
}
