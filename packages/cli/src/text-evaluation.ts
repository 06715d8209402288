// The evaluation of a language run, printed as tables and kept in summary.json:
//  - language modelling: validation nats per token and bits per character next to unigram and
//    bigram models of the training tokens, scored by the same function (gpt); masked-token top-1
//    and nats next to the most frequent token and the unigram (mlm, mlm-simcse);
//  - category of an entry (the 8 largest categories, balanced top-1): a linear probe on the frozen
//    encoder's pooled embedding, and the encoder fine-tuned on 10% of the labels, next to a
//    bag-of-character-n-grams logistic regression and a random-init encoder (frozen, and trained
//    from scratch on the same 10%).
import { adamw, assign, classification, mlmMask, noGrad, reshape, type Tensor, tensor, tidy } from '@pretext/core';
import { entryBatch, MASK, NUM_SPECIAL, permutation, streamBatch, type TokenCorpus, tokenStream } from '@pretext/data';
import { charNgramFeatures, classAccuracy, type Features, fewLabelSubset, linearProbe, NgramLm, selectRows, textScore } from '@pretext/eval';
import { Init, Linear } from '@pretext/models';
import { deviceBatch, type Task, type TaskConfig, type TextEncoder, type TextSplits, type TrainState } from '@pretext/tasks';
import { type BaselineName, BASELINES, UsageError } from './args.js';
import type { EvalSettings, Evaluation, ReportTable } from './evaluation.js';

export const TEXT_PROTOCOLS = ['lm', 'linear', 'few-label'] as const;
/** Categories of the downstream task: the largest ones of the training split. */
export const CATEGORIES = 8;
const EVAL_SEED = 12_345;

const f3 = (v: number) => v.toFixed(3);
const pct = (v: number | undefined) => (v === undefined ? '—' : (100 * v).toFixed(1));

function checkTextProtocols(names: readonly string[]): string[] {
  for (const p of names) if (!(TEXT_PROTOCOLS as readonly string[]).includes(p)) throw new UsageError(`unknown protocol '${p}' for a language run; valid: ${TEXT_PROTOCOLS.join(', ')}`);
  return [...names];
}

/** Σ −log p over a corpus scored in batches; `batches` yields (logits (N, V), targets (N)) pairs. */
interface Scored {
  nats: number;
  tokens: number;
  chars: number;
  correct: number;
}

/** gpt: the validation stream in consecutive windows of the context; every window's T next tokens scored. */
async function lmScore(encoder: TextEncoder, head: (h: Tensor) => Tensor, corpus: TokenCorpus, train: TokenCorpus, cfg: { context: number; batchSize: number }): Promise<ReportTable> {
  const t = cfg.context;
  const stream = tokenStream(corpus);
  const starts = Array.from({ length: Math.floor((stream.length - 1) / t) }, (_, i) => i * t);
  const tok = corpus.tokenizer;
  const model: Scored = { nats: 0, tokens: 0, chars: 0, correct: 0 };
  encoder.eval();
  for (let lo = 0; lo < starts.length; lo += cfg.batchSize) {
    const batch = streamBatch(stream, starts.slice(lo, lo + cfg.batchSize), t);
    const n = batch.ids.length;
    const out = noGrad(() =>
      tidy(() => {
        const logits = head(encoder.forward(deviceBatch(batch))); // (B, T, V)
        const { loss, accuracy } = classification(reshape(logits, [n, tok.vocabSize]), tensor(batch.targets as Int32Array));
        return [loss, accuracy];
      }),
    );
    const [loss, acc] = await Promise.all(out.map((x) => x.item()));
    for (const x of out) x.dispose();
    model.nats += loss * n;
    model.correct += acc * n;
    model.tokens += n;
    for (const id of batch.targets as Int32Array) model.chars += tok.charsOf(id);
  }
  encoder.train();
  // the n-gram baselines on the same targets, each with the token before it as context
  const trainStream = tokenStream(train);
  const pairs = function* () {
    for (let i = 1; i < trainStream.length; i++) yield [trainStream[i - 1], trainStream[i]] as [number, number];
  };
  const rows = [['model', 'nats/token', 'nats/char', 'bits/char', 'next-token top-1 %']];
  const show = (name: string, s: Scored) => {
    const r = textScore(s);
    rows.push([name, f3(r.natsPerToken), f3(r.natsPerChar), f3(r.bitsPerChar), s.correct >= 0 ? pct(s.correct / s.tokens) : '—']);
  };
  show('ours', model);
  for (const order of [1, 2] as const) {
    const lm = new NgramLm(order, pairs());
    const s: Scored = { nats: 0, tokens: 0, chars: 0, correct: -1 };
    for (const s0 of starts) {
      for (let i = s0; i < s0 + t; i++) {
        s.nats += lm.nll(stream[i], stream[i + 1]);
        s.chars += tok.charsOf(stream[i + 1]);
        s.tokens++;
      }
    }
    show(order === 1 ? 'unigram (add-one)' : 'bigram (add-one)', s);
  }
  return {
    title: `Next-token prediction on ${corpus.name}: ${model.tokens} tokens (${model.chars} characters) in windows of ${t}`,
    head: rows[0],
    rows: rows.slice(1),
    note: 'Characters are the text\'s code points; [SEP] (an entry break) counts as one. The n-gram models are fitted to the training tokens.',
  };
}

/** mlm: the validation entries, masked as in training (fixed seeds); the chosen tokens scored. */
async function maskedScore(encoder: TextEncoder, corpus: TokenCorpus, train: TokenCorpus, cfg: { context: number; batchSize: number; maskRate: number }): Promise<ReportTable> {
  const tok = corpus.tokenizer;
  const uni = new NgramLm(1, (function* () {
    for (const e of train.entries) for (const id of e) yield [0, id] as [number, number];
  })());
  const top = uni.mostFrequent();
  const model: Scored = { nats: 0, tokens: 0, chars: 0, correct: 0 };
  const base = { nats: 0, tokens: 0, chars: 0, correct: 0 };
  encoder.eval();
  const n = corpus.entries.length;
  for (let lo = 0, k = 0; lo < n; lo += cfg.batchSize, k++) {
    const batch = entryBatch(corpus, Array.from({ length: Math.min(cfg.batchSize, n - lo) }, (_, i) => lo + i), cfg.context, 'truncate');
    const [b, t] = batch.shape;
    const out = noGrad(() =>
      tidy(() => {
        const x = deviceBatch(batch);
        const { inputs, targets } = mlmMask(x.ids, { vocab: tok.vocabSize, special: NUM_SPECIAL, maskId: MASK, rate: cfg.maskRate, seed: EVAL_SEED + k });
        const { loss, accuracy } = classification(reshape(encoder.net.logits(encoder.forward({ ...x, ids: inputs })), [b * t, tok.vocabSize]), targets);
        return [loss, accuracy, targets];
      }),
    );
    const [loss, acc] = await Promise.all([out[0].item(), out[1].item()]);
    const targets = (await out[2].data()) as Int32Array;
    for (const x of out) x.dispose();
    let chosen = 0;
    for (const id of targets) {
      if (id < 0) continue;
      chosen++;
      model.chars += tok.charsOf(id);
      base.nats += uni.nll(0, id);
      base.correct += id === top ? 1 : 0;
    }
    model.nats += loss * chosen;
    model.correct += acc * chosen;
    model.tokens += chosen;
    base.tokens += chosen;
  }
  encoder.train();
  base.chars = model.chars;
  const row = (name: string, s: Scored) => {
    const r = textScore(s);
    return [name, pct(s.correct / s.tokens), f3(r.natsPerToken), f3(r.bitsPerChar)];
  };
  return {
    title: `Masked-token prediction on ${corpus.name}: ${model.tokens} chosen tokens of ${n} entries (15% chosen; 80% [MASK], 10% random, 10% kept)`,
    head: ['model', 'masked-token top-1 %', 'nats/token', 'bits/char'],
    rows: [row('ours', model), row(`most frequent token (${tok.show(top)}) / unigram`, base)],
    note: 'The baseline row predicts the most frequent training token (top-1) and scores the unigram distribution (nats).',
  };
}

/** Pooled embeddings (N, C) of entries, frozen encoder in eval mode. */
async function pooledFeatures(encoder: TextEncoder, corpus: TokenCorpus, idx: Int32Array, context: number, batchSize: number): Promise<Features> {
  const dim = encoder.featureDim;
  const values = new Float32Array(idx.length * dim);
  encoder.eval();
  for (let lo = 0; lo < idx.length; lo += batchSize) {
    const z = noGrad(() => tidy(() => encoder.pooled(deviceBatch(entryBatch(corpus, idx.subarray(lo, lo + batchSize), context, 'truncate')))));
    values.set((await z.data()) as Float32Array, lo * dim);
    z.dispose();
  }
  encoder.train();
  return { values, n: idx.length, dim };
}

/** Encoder + linear head trained on the labelled entries (AdamW, constant lr); balanced top-1 on the validation entries. */
async function fineTune(encoder: TextEncoder, s: CategorySets, labelled: Int32Array, o: { epochs: number; lr: number; batchSize: number; context: number; seed: number }): Promise<number> {
  const head = new Linear(new Init(o.seed), encoder.featureDim, CATEGORIES);
  const opt = adamw([...encoder.namedParameters('encoder'), ...head.namedParameters('head')], { lr: o.lr, weightDecay: 0.01 });
  try {
    for (let e = 0; e < o.epochs; e++) {
      // a seeded order of the labelled entries (indices into trainRows) per epoch
      const r = Int32Array.from(permutation(labelled.length, o.seed * 7919 + e), (k) => labelled[k]);
      let last: Tensor | null = null;
      for (let lo = 0; lo < r.length; lo += o.batchSize) {
        const idx = r.subarray(lo, lo + o.batchSize);
        const rows = Int32Array.from(idx, (i) => s.trainRows[i]);
        const batch = entryBatch(s.train, rows, o.context, 'truncate');
        last?.dispose();
        last = tidy(() => {
          const { loss } = classification(head.forward(encoder.pooled(deviceBatch(batch))), tensor(Int32Array.from(idx, (i) => s.trainLabels[i])));
          loss.backward();
          opt.update();
          return noGrad(() => reshape(loss, [1]));
        });
      }
      if (last) {
        await last.data(); // one wait per epoch
        last.dispose();
      }
    }
    const f = await pooledFeatures(encoder, s.valid, s.validRows, o.context, o.batchSize);
    const logits = noGrad(() => tidy(() => head.forward(tensor(f.values, [f.n, f.dim]))));
    const l = (await logits.data()) as Float32Array;
    logits.dispose();
    const pred = Array.from({ length: f.n }, (_, i) => {
      let b = 0;
      for (let c = 1; c < CATEGORIES; c++) if (l[i * CATEGORIES + c] > l[i * CATEGORIES + b]) b = c;
      return b;
    });
    return classAccuracy(pred, s.validLabels).balancedTop1;
  } finally {
    opt.dispose();
    head.dispose();
  }
}

interface CategorySets {
  names: string[];
  train: TokenCorpus;
  valid: TokenCorpus;
  /** Entries of the kept categories, and their labels renumbered 0 … 7. */
  trainRows: Int32Array;
  trainLabels: Int32Array;
  validRows: Int32Array;
  validLabels: Int32Array;
  trainTexts: string[];
  validTexts: string[];
}

function categorySets(splits: TextSplits): CategorySets {
  const counts = new Map<number, number>();
  for (const l of splits.train.labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  const kept = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, CATEGORIES).map(([c]) => c);
  const pick = (c: TokenCorpus) => {
    const rows = Int32Array.from(Array.from(c.labels).flatMap((l, i) => (kept.includes(l) ? [i] : [])));
    return { rows, labels: Int32Array.from(rows, (i) => kept.indexOf(c.labels[i])) };
  };
  const tr = pick(splits.train);
  const va = pick(splits.valid);
  return {
    names: kept.map((c) => splits.train.categories[c]), train: splits.train, valid: splits.valid,
    trainRows: tr.rows, trainLabels: tr.labels, validRows: va.rows, validLabels: va.labels,
    trainTexts: Array.from(tr.rows, (i) => splits.text.train.texts[i]), validTexts: Array.from(va.rows, (i) => splits.text.valid.texts[i]),
  };
}

async function categoryTable(task: Task<'text'>, cfg: TaskConfig, encoder: TextEncoder, splits: TextSplits, run: { linear: boolean; fewLabel: boolean; baselines: readonly BaselineName[]; probeEpochs: number; tuneEpochs: number }, log: (l: string) => void): Promise<ReportTable> {
  const s = categorySets(splits);
  const ctx = { context: encoder.config.maxLen, batchSize: Math.min(cfg.batchSize, 64) };
  const labelled = fewLabelSubset(s.trainLabels, 0.1, cfg.seed);
  const probe = async (tr: Features, te: Features) => (await linearProbe(tr, s.trainLabels, te, s.validLabels, { epochs: run.probeEpochs, classes: CATEGORIES, seed: cfg.seed })).balancedTop1;
  const probeFew = async (tr: Features, te: Features) => (await linearProbe(selectRows(tr, labelled), Int32Array.from(labelled, (i) => s.trainLabels[i]), te, s.validLabels, { epochs: run.probeEpochs, classes: CATEGORIES, seed: cfg.seed, batchSize: 64 })).balancedTop1;
  const rows: string[][] = [];
  const t0 = performance.now();
  const encoderRow = async (name: string, enc: TextEncoder) => {
    const lin = run.linear ? await probe(await pooledFeatures(enc, s.train, s.trainRows, ctx.context, ctx.batchSize), await pooledFeatures(enc, s.valid, s.validRows, ctx.context, ctx.batchSize)) : undefined;
    const tuned = run.fewLabel ? await fineTune(enc, s, labelled, { epochs: run.tuneEpochs, lr: 5e-4, batchSize: 32, context: ctx.context, seed: cfg.seed }) : undefined;
    rows.push([name, pct(lin), pct(tuned)]);
    log(`eval      category: ${name}: probe ${pct(lin)}%, fine-tuned on 10% ${pct(tuned)}% (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  };
  // ours: a copy of the trained encoder (fine-tuning must not change the one the run keeps)
  const copy = task.encoder(cfg, splits.train, new Init(cfg.seed));
  copy.parameters().forEach((p, i) => assign(p, encoder.parameters()[i]));
  try {
    await encoderRow(`${task.id} (ours)`, copy);
  } finally {
    copy.dispose();
  }
  if (run.baselines.includes('random-init') || run.baselines.includes('supervised')) {
    const fresh = task.encoder(cfg, splits.train, new Init(cfg.seed + 1));
    try {
      await encoderRow('random-init encoder (probe frozen; fine-tune = supervised from scratch)', fresh);
    } finally {
      fresh.dispose();
    }
  }
  if (run.baselines.includes('raw-pixels')) {
    const tr = charNgramFeatures(s.trainTexts);
    const te = charNgramFeatures(s.validTexts);
    rows.push(['character 1–3-grams, logistic regression', pct(run.linear ? await probe(tr, te) : undefined), pct(run.fewLabel ? await probeFew(tr, te) : undefined)]);
  }
  return {
    title: `Category of an entry: ${CATEGORIES} largest categories (${s.names.join(', ')}), ${s.trainRows.length} train / ${s.validRows.length} validation entries, balanced top-1 % (chance ${pct(1 / CATEGORIES)})`,
    head: ['model', 'linear probe (all labels)', 'fine-tuned, 10% labels'],
    rows,
    note: `Pooled embedding: the mean of the final hidden states over the entry's tokens. Fine-tuning: encoder + linear head, AdamW 5e-4, ${run.tuneEpochs} epochs on ${labelled.length} labelled entries (class-balanced 10%); the n-gram row's 10% is its logistic regression on the same entries.`,
  };
}

export async function evaluateText(task: Task<'text'>, cfg: TaskConfig, state: TrainState<'text'>, splits: TextSplits, settings: EvalSettings, log: (l: string) => void): Promise<Evaluation> {
  const t0 = performance.now();
  const protocols = checkTextProtocols(settings.protocols ?? TEXT_PROTOCOLS);
  const baselines = settings.baselines ?? BASELINES;
  const encoder = state.encoder;
  const num = (k: string, d: number) => (typeof cfg[k] === 'number' ? (cfg[k] as number) : d);
  const shape = { context: num('context', 128), batchSize: Math.min(cfg.batchSize, 64), maskRate: num('maskRate', 0.15) };
  const tables: ReportTable[] = [];
  if (protocols.includes('lm')) {
    log(`eval      language modelling on ${splits.valid.name} (${splits.valid.entries.length} entries)`);
    const headModule = state.modules.head as Linear | undefined;
    tables.push(encoder.causal ? await lmScore(encoder, (h) => (headModule ? headModule.forward(h) : encoder.net.logits(h)), splits.valid, splits.train, shape) : await maskedScore(encoder, splits.valid, splits.train, shape));
  }
  if (protocols.includes('linear') || protocols.includes('few-label')) {
    const run = {
      linear: protocols.includes('linear'), fewLabel: protocols.includes('few-label'), baselines,
      probeEpochs: settings.probeEpochs ?? num('probeEpochs', 30), tuneEpochs: settings.supervisedEpochs ?? num('supervisedEpochs', 4),
    };
    tables.push(await categoryTable(task, cfg, encoder, splits, run, log));
  }
  const table = tables.map((t) => [t.title, [t.head, ...t.rows].map((r) => r.join(' | ')).join('\n')].join('\n')).join('\n\n');
  log(`\n${table}\n`);
  return { at: new Date().toISOString(), protocols, reports: [], table, tables, seconds: (performance.now() - t0) / 1000 };
}
