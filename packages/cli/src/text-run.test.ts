// Language runs through the trainer end to end on tiny models: gpt (stream windows, next-token
// evaluation next to n-gram baselines, samples in the report, generate from its checkpoint) and
// mlm (entries, masked-token evaluation, the category table); generate refuses other checkpoints.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useWebGpu } from '@pretext/core';
import { loadFortunes, textSubset } from '@pretext/data';
import { destroyGpu } from '@pretext/gpu';
import { gpt, loadTextSplits, mlm, TASKS, type TextSplits } from '@pretext/tasks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCommand, parseGenerate } from './generate.js';
import { readSummary, type RunInfo, runInfo } from './summary.js';
import { runTraining } from './train.js';

const root = mkdtempSync(join(tmpdir(), 'pretext-text-'));
const TINY = { epochs: 1, batchSize: 8, context: 32, layers: 1, heads: 2, dim: 16, warmupSteps: 0, lr: 3e-3, dropout: 0, probeEpochs: 2, supervisedEpochs: 1 };
let info: RunInfo;
let splits: TextSplits;

beforeAll(async () => {
  info = runInfo((await useWebGpu()).gpu.info);
  // every 10th entry: all categories, 1522 entries → ~1370 train, ~150 validation
  const texts = textSubset(loadFortunes(), Int32Array.from({ length: 1522 }, (_, i) => i * 10));
  splits = loadTextSplits({ dataset: 'fortunes', tokenizer: 'char', vocabSize: 2048 }, texts);
});
afterAll(() => destroyGpu());

describe('language runs', () => {
  it('gpt: trains, scores the validation text next to unigram and bigram, samples, and generates from its checkpoint', async () => {
    const dir = join(root, 'gpt');
    const cfg = gpt.config('fortunes', 'quick', { ...TINY, trainLimit: 300 });
    const small = { ...splits, train: { ...splits.train, entries: splits.train.entries.slice(0, 300), labels: splits.train.labels.subarray(0, 300) } };
    const r = await runTraining({ task: gpt, cfg, dir, resume: false, info, splits: small, log: () => {}, eval: { protocols: ['lm'], baselines: [] } });
    expect(r.status).toBe('complete');
    expect(existsSync(join(dir, 'tokenizer.json'))).toBe(true);
    const s = readSummary(dir);
    const table = s.evaluations[0].tables?.[0];
    expect(table?.rows.map((row) => row[0])).toEqual(['ours', 'unigram (add-one)', 'bigram (add-one)']);
    const [uni, bi] = [Number(table?.rows[1][2]), Number(table?.rows[2][2])]; // nats/char
    expect(uni).toBeGreaterThan(3);
    expect(bi).toBeLessThan(uni - 0.4);
    expect(s.figures.generations?.map((g) => g.temperature)).toEqual([0.7, 1]);
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain('Sample at temperature 0.7');
    let out = '';
    await generateCommand(parseGenerate([dir, '--prompt', 'Why ', '--tokens', '12', '--seed', '3']), TASKS, (t) => {
      out += t;
    });
    expect(out.startsWith('Why ')).toBe(true);
    expect(out.length).toBeGreaterThan(4);
    await expect(generateCommand(parseGenerate([dir, '--prompt', 'x'.repeat(40), '--overflow', 'reject']), TASKS, () => {})).rejects.toThrow(/--prompt is 40 tokens; with \[SEP\] that is longer than the model's context of 32/);
  });

  it('mlm: trains on padded entries, reports masked-token top-1 and the category table', async () => {
    const dir = join(root, 'mlm');
    const cfg = mlm.config('fortunes', 'quick', TINY);
    const r = await runTraining({ task: mlm, cfg, dir, resume: false, info, splits, log: () => {}, eval: { protocols: ['lm', 'linear'], baselines: ['raw-pixels'] } });
    expect(r.status).toBe('complete');
    const [masked, category] = readSummary(dir).evaluations[0].tables ?? [];
    expect(masked.head).toContain('masked-token top-1 %');
    expect(masked.rows[1][0]).toMatch(/^most frequent token/);
    expect(category.rows.map((row) => row[0])).toEqual(['mlm (ours)', 'character 1–3-grams, logistic regression']);
    expect(Number(category.rows[1][1])).toBeGreaterThan(100 / 8); // the n-gram probe beats chance
    await expect(generateCommand(parseGenerate([dir]), TASKS, () => {})).rejects.toThrow(/a bidirectional masked LM; generate needs a causal model/);
  });
});
