// The runner of language tasks: fortunes split by entry, a tokenizer trained on the training split
// (saved as DIR/tokenizer.json for `pretext generate`), token batches (stream windows or padded
// entries, as the task's config says), the language evaluation (text-evaluation.ts) and, for a
// causal model, generated samples at two temperatures.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileSafe } from './safe-fs.js';
import { EntryLoader, SEP, StreamLoader, type TokenLoader, type Tokenizer, tokenizerFromJson } from '@pretext/data';
import type { Linear } from '@pretext/models';
import { entryTargets, generate, loadTextSplits, parseOptions, type TaskConfig, type TextEncoder, textEncoderOptions, type TrainState } from '@pretext/tasks';
import type { Tensor } from '@pretext/core';
import type { Figures } from './figures.js';
import type { Runner } from './runner.js';
import { evaluateText } from './text-evaluation.js';

export const TOKENIZER_JSON = 'tokenizer.json';
/** Temperatures and top-k of the report's samples. */
export const SAMPLE_TEMPERATURES = [0.7, 1.0];
const SAMPLE_TOKENS = 300;
const SAMPLE_TOP_K = 40;

/** The text encoder's options of a config, validated by their schema. */
export function textConfigOf(cfg: TaskConfig) {
  const values = Object.fromEntries(Object.keys(textEncoderOptions).filter((k) => cfg[k] !== undefined).map((k) => [k, cfg[k]]));
  return { ...parseOptions(textEncoderOptions, values, 'config'), packing: cfg.packing === 'stream' ? ('stream' as const) : ('entries' as const) };
}

export function writeTokenizer(dir: string, tokenizer: Tokenizer): void {
  writeFileSafe(join(dir, TOKENIZER_JSON), JSON.stringify(tokenizer.toJSON()));
}

export function readTokenizer(dir: string): Tokenizer {
  const path = join(dir, TOKENIZER_JSON);
  if (!existsSync(path)) throw new Error(`${path} not found; a language run writes it when training starts`);
  let j: unknown;
  try {
    j = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path} is not valid JSON (${(e as Error).message})`);
  }
  return tokenizerFromJson(j as Parameters<typeof tokenizerFromJson>[0], path);
}

/** The LM head of a language state: its own matrix, or the tied embedding. */
export function lmHead(state: TrainState<'text'>): (h: Tensor) => Tensor {
  const head = state.modules.head as Linear | undefined;
  const net = (state.encoder as TextEncoder).net;
  return (h) => (head ? head.forward(h) : net.logits(h));
}

export const textRunner: Runner<'text'> = {
  unit: 'tokens',
  load: (cfg) => {
    const t = textConfigOf(cfg);
    return loadTextSplits({ dataset: cfg.dataset, tokenizer: t.tokenizer, vocabSize: t.vocabSize, trainLimit: cfg.trainLimit, testLimit: cfg.testLimit ?? (cfg.preset === 'quick' ? 500 : undefined) });
  },
  train: (splits) => splits.train,
  loader: (train, cfg): TokenLoader => {
    const t = textConfigOf(cfg);
    if (t.packing === 'stream') return new StreamLoader(train, cfg.batchSize, { seed: cfg.seed, context: t.context });
    const entries = new EntryLoader(train, cfg.batchSize, { seed: cfg.seed, context: t.context, overflow: t.overflow });
    if (cfg.task !== 'gpt') return entries;
    // a causal model on entry rows: next-token targets from the rows
    return {
      batchesPerEpoch: entries.batchesPerEpoch,
      batch: (e, b) => entryTargets(entries.batch(e, b)),
      async *epoch(e, from = 0) {
        for await (const b of entries.epoch(e, from)) yield entryTargets(b);
      },
    };
  },
  itemsPerStep: (cfg) => cfg.batchSize * textConfigOf(cfg).context,
  describe: (splits, loader, cfg) => {
    const t = textConfigOf(cfg);
    const tokens = splits.train.entries.reduce((n, e) => n + e.length, 0);
    return `${splits.train.name}: ${splits.train.entries.length} entries, ${tokens} tokens (${splits.tokenizer.kind}, vocabulary ${splits.tokenizer.vocabSize}), ${loader.batchesPerEpoch} batches of ${cfg.batchSize} × ${t.context} (${t.packing}) per epoch; validation ${splits.valid.entries.length} entries`;
  },
  prepare: (dir, splits) => writeTokenizer(dir, splits.tokenizer),
  evaluate: (task, cfg, state, splits, settings, log) => evaluateText(task, cfg, state, splits, settings, log),
  figures: async (_dir, _task, cfg, state, splits): Promise<Figures> => {
    if (!state.encoder.causal) return {};
    const tok = splits.tokenizer;
    const generations: NonNullable<Figures['generations']> = [];
    for (const temperature of SAMPLE_TEMPERATURES) {
      // an entry starts after [SEP]: the samples begin a new fortune
      const ids = await generate(state.encoder.net, lmHead(state), Int32Array.of(SEP), { tokens: SAMPLE_TOKENS, temperature, topK: SAMPLE_TOP_K, seed: cfg.seed });
      generations.push({ prompt: '', temperature, topK: SAMPLE_TOP_K, text: tok.decode(ids).replaceAll('[SEP]', '\n%\n') });
    }
    return { generations };
  },
};
