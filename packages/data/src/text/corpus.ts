// Token batches. A corpus is the entries of a split as token ids. Two ways to batch it:
//  - entries (masked LM, SimCSE, classification): row = [CLS] entry [SEP], padded with [PAD] to
//    the batch's longest row (a multiple of 8, at most the context); an entry longer than the
//    context is truncated or rejected, as `overflow` says.
//  - stream (next-token LM): the entries joined, each followed by [SEP], cut into windows of T + 1
//    tokens (nanoGPT); row r predicts window[1 … T] from window[0 … T − 1].
import { rng } from '@pretext/random';
import { permutation } from '../loader.js';
import type { TextDataset } from './text-dataset.js';
import { CLS, PAD, SEP, type Tokenizer } from './tokenizer.js';

export interface TokenCorpus {
  name: string;
  tokenizer: Tokenizer;
  /** Token ids per entry (no special tokens). */
  entries: Int32Array[];
  /** Category per entry. */
  labels: Int32Array;
  categories: string[];
}

export interface TokenBatch {
  /** (B, T) token ids. */
  ids: Int32Array;
  shape: [number, number];
  /** (B, T) key padding: 1 = token, 0 = [PAD]. */
  keep: Int32Array;
  /** (B·T) the next token at each position (stream batches only). */
  targets?: Int32Array;
  /** (B) category of each row's entry (−1 for stream windows). */
  labels: Int32Array;
  /** (B) entry index (entries) or window start in the stream. */
  index: Int32Array;
}

export type Overflow = 'truncate' | 'reject';
export const IGNORE_INDEX = -100;

export function tokenizeText(ds: TextDataset, tokenizer: Tokenizer): TokenCorpus {
  return { name: ds.name, tokenizer, entries: ds.texts.map((t) => tokenizer.encode(t)), labels: ds.labels, categories: ds.categories };
}

/** Entries whose [CLS] … [SEP] row exceeds `context`: an error naming the first (data, entry, lengths). */
export function checkEntryLengths(corpus: TokenCorpus, context: number): void {
  const i = corpus.entries.findIndex((e) => e.length + 2 > context);
  if (i < 0) return;
  const n = corpus.entries.filter((e) => e.length + 2 > context).length;
  throw new Error(`${corpus.name}: entry ${i} (${corpus.categories[corpus.labels[i]]}) is ${corpus.entries[i].length} tokens + [CLS] [SEP], longer than the context of ${context} (${n} of ${corpus.entries.length} entries are); overflow 'reject' refuses them, 'truncate' cuts them`);
}

/** Rows [CLS] entry [SEP] for entries idx, padded to the longest (rounded up to 8, at most `context`). */
export function entryBatch(corpus: TokenCorpus, idx: ArrayLike<number>, context: number, overflow: Overflow): TokenBatch {
  if (!(Number.isInteger(context) && context >= 3)) throw new Error(`entryBatch: context must be an integer ≥ 3, got ${context}`);
  const rows = Array.from(idx, (i) => {
    const e = corpus.entries[i];
    if (e.length + 2 > context && overflow === 'reject') checkEntryLengths({ ...corpus, entries: [e], labels: corpus.labels.subarray(i, i + 1) }, context);
    const body = e.subarray(0, context - 2);
    return Int32Array.from([CLS, ...body, SEP]);
  });
  const longest = rows.reduce((m, r) => Math.max(m, r.length), 0);
  const t = Math.min(context, Math.ceil(longest / 8) * 8);
  const b = rows.length;
  const ids = new Int32Array(b * t).fill(PAD);
  const keep = new Int32Array(b * t);
  rows.forEach((r, k) => {
    ids.set(r, k * t);
    keep.fill(1, k * t, k * t + r.length);
  });
  return { ids, shape: [b, t], keep, labels: Int32Array.from(idx, (i) => corpus.labels[i]), index: Int32Array.from(idx) };
}

/** The entries joined into one stream, each followed by [SEP]. */
export function tokenStream(corpus: TokenCorpus): Int32Array {
  const out = new Int32Array(corpus.entries.reduce((n, e) => n + e.length + 1, 0));
  let at = 0;
  for (const e of corpus.entries) {
    out.set(e, at);
    out[at + e.length] = SEP;
    at += e.length + 1;
  }
  return out;
}

/** Windows of stream starting at `starts`: ids (B, T) = stream[s … s + T − 1], targets = stream[s + 1 … s + T]. */
export function streamBatch(stream: Int32Array, starts: ArrayLike<number>, t: number): TokenBatch {
  const b = starts.length;
  const ids = new Int32Array(b * t);
  const targets = new Int32Array(b * t);
  for (let k = 0; k < b; k++) {
    const s = starts[k];
    if (!(s >= 0 && s + t + 1 <= stream.length)) throw new Error(`streamBatch: window [${s}, ${s + t + 1}) is outside the stream of ${stream.length} tokens`);
    ids.set(stream.subarray(s, s + t), k * t);
    targets.set(stream.subarray(s + 1, s + t + 1), k * t);
  }
  return { ids, shape: [b, t], keep: new Int32Array(b * t).fill(1), targets, labels: new Int32Array(b).fill(-1), index: Int32Array.from(starts) };
}

/** A loader's shape as the trainer uses it: deterministic batches per (seed, epoch, batch). */
export interface TokenLoader {
  readonly batchesPerEpoch: number;
  batch(epoch: number, b: number): TokenBatch;
  epoch(epoch: number, from?: number): AsyncGenerator<TokenBatch>;
}

/** Iterates an epoch from batch `from`, preparing batch b + 1 (on a macrotask) while b is used. */
async function* prefetch(n: number, make: (b: number) => TokenBatch, from: number): AsyncGenerator<TokenBatch> {
  let next: Promise<TokenBatch> | null = from < n ? Promise.resolve(make(from)) : null;
  for (let b = from; b < n; b++) {
    const cur = await (next as Promise<TokenBatch>);
    next = b + 1 < n ? new Promise((res) => setImmediate(() => res(make(b + 1)))) : null;
    yield cur;
  }
}

/** Epoch e visits the entries in permutation(n, seed + e), `batchSize` per batch, the partial batch dropped. */
export class EntryLoader implements TokenLoader {
  readonly batchesPerEpoch: number;
  constructor(readonly corpus: TokenCorpus, readonly batchSize: number, readonly opts: { seed: number; context: number; overflow: Overflow }) {
    const n = corpus.entries.length;
    if (!(batchSize >= 1 && batchSize <= n)) throw new Error(`EntryLoader: batch size ${batchSize} must be in [1, ${n}] (the entries of ${corpus.name})`);
    if (opts.overflow === 'reject') checkEntryLengths(corpus, opts.context);
    this.batchesPerEpoch = Math.floor(n / batchSize);
  }
  batch(epoch: number, b: number): TokenBatch {
    const order = permutation(this.corpus.entries.length, this.opts.seed + epoch);
    return entryBatch(this.corpus, order.subarray(b * this.batchSize, (b + 1) * this.batchSize), this.opts.context, this.opts.overflow);
  }
  epoch(epoch: number, from = 0): AsyncGenerator<TokenBatch> {
    return prefetch(this.batchesPerEpoch, (b) => this.batch(epoch, b), from);
  }
}

/**
 * Epoch e cuts the stream into windows of T + 1 at a seeded offset in [0, T) and visits them in a
 * seeded order: every token is predicted once per epoch, each epoch with different window edges.
 */
export class StreamLoader implements TokenLoader {
  readonly stream: Int32Array;
  readonly batchesPerEpoch: number;
  constructor(corpus: TokenCorpus, readonly batchSize: number, readonly opts: { seed: number; context: number }) {
    this.stream = tokenStream(corpus);
    const t = opts.context;
    const windows = Math.floor((this.stream.length - t) / t); // at any offset < T
    if (!(batchSize >= 1 && batchSize <= windows)) throw new Error(`StreamLoader: ${corpus.name} holds ${windows} windows of ${t + 1} tokens; batch size ${batchSize} must be in [1, ${windows}]`);
    this.batchesPerEpoch = Math.floor(windows / batchSize);
  }
  private starts(epoch: number): Int32Array {
    const t = this.opts.context;
    const offset = Math.floor(rng(this.opts.seed * 7919 + epoch)() * t);
    const windows = Math.floor((this.stream.length - t) / t);
    return Int32Array.from(permutation(windows, this.opts.seed + epoch), (w) => offset + w * t);
  }
  batch(epoch: number, b: number): TokenBatch {
    return streamBatch(this.stream, this.starts(epoch).subarray(b * this.batchSize, (b + 1) * this.batchSize), this.opts.context);
  }
  epoch(epoch: number, from = 0): AsyncGenerator<TokenBatch> {
    const starts = this.starts(epoch);
    const t = this.opts.context;
    return prefetch(this.batchesPerEpoch, (b) => streamBatch(this.stream, starts.subarray(b * this.batchSize, (b + 1) * this.batchSize), t), from);
  }
}
