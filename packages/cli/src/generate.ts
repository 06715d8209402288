// `pretext generate <DIR>`: text sampled from a trained language model (a gpt run), streamed to the
// terminal as it is sampled. The prompt follows [SEP], as every entry does in training; a prompt
// longer than the context keeps its last tokens (--overflow truncate) or is refused (reject).
import { SEP, type Tokenizer } from '@pretext/data';
import { type AnyTask, generate, type Task } from '@pretext/tasks';
import { UsageError } from './flags.js';
import { loadRun, restoreRun } from './checkpoints.js';
import { parseFlags } from './flags.js';
import { lmHead, readTokenizer } from './text-runner.js';

export interface GenerateArgs {
  command: 'generate';
  dir: string;
  prompt: string;
  tokens: number;
  temperature: number;
  topK?: number;
  seed: number;
  cache: boolean;
  overflow: 'truncate' | 'reject';
}

export const GENERATE_USAGE = `  generate <DIR> [--prompt TEXT] [--tokens N] [--temperature T] [--top-k K] [--seed S] [--no-cache]
               [--overflow truncate|reject]
                                    Sample text from DIR's language model (a gpt run), streamed.`;

function number(v: string | undefined, flag: string, def: number, ok: (n: number) => boolean, range: string): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || !ok(n)) throw new UsageError(`--${flag} must be ${range}, got '${v}'`);
  return n;
}

export function parseGenerate(rest: string[]): GenerateArgs {
  const spec = { prompt: 'string', tokens: 'string', temperature: 'string', 'top-k': 'string', seed: 'string', cache: 'boolean', overflow: 'string' } as const;
  const { values: v, positionals } = parseFlags(rest, spec, 'generate', '; see `pretext --help`');
  if (positionals.length !== 1) throw new UsageError(`pretext generate takes one run directory, got ${positionals.length ? positionals.map((p) => `'${p}'`).join(' ') : 'none'}`);
  const int = (n: number) => Number.isInteger(n);
  const overflow = (v.overflow as string | undefined) ?? 'truncate';
  if (overflow !== 'truncate' && overflow !== 'reject') throw new UsageError(`--overflow must be truncate or reject, got '${overflow}'`);
  const topK = v['top-k'] === undefined ? undefined : number(v['top-k'] as string, 'top-k', 0, (n) => int(n) && n >= 1, 'an integer ≥ 1');
  return {
    command: 'generate',
    dir: positionals[0],
    prompt: (v.prompt as string | undefined) ?? '',
    tokens: number(v.tokens as string | undefined, 'tokens', 200, (n) => int(n) && n >= 1 && n <= 100_000, 'an integer in [1, 100000]'),
    temperature: number(v.temperature as string | undefined, 'temperature', 0.8, (n) => n >= 0 && n <= 100, 'a number in [0, 100] (0: greedy)'),
    ...(topK !== undefined ? { topK } : {}),
    seed: number(v.seed as string | undefined, 'seed', 0, (n) => int(n) && n >= 0 && n < 2 ** 32, 'an integer in [0, 2^32)'),
    cache: (v.cache as boolean | undefined) ?? true,
    overflow,
  };
}

/** Prints text as tokens arrive; a character split across tokens waits until it is whole. */
function streamer(tok: Tokenizer, write: (s: string) => void) {
  const ids: number[] = [];
  let shown = 0;
  return (id: number) => {
    ids.push(id);
    let text = tok.decode(ids).replaceAll('[SEP]', '\n%\n');
    if (text.endsWith('\uFFFD')) text = text.slice(0, -1);
    if (text.length > shown) write(text.slice(shown));
    shown = Math.max(shown, text.length);
  };
}

export async function generateCommand(a: GenerateArgs, tasks: Record<string, AnyTask>, write: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  const ckpt = await loadRun(a.dir);
  const task = tasks[ckpt.meta.task];
  if (!task) throw new UsageError(`checkpoint in ${a.dir} is from task '${ckpt.meta.task}', which this build does not have`);
  if (task.modality !== 'text') throw new UsageError(`${a.dir} holds a ${task.id} checkpoint, an ${task.modality} encoder; generate needs a language model (\`pretext train gpt --dataset fortunes\`)`);
  return generateFrom(task, ckpt, a, write);
}

async function generateFrom(task: Task<'text'>, ckpt: Awaited<ReturnType<typeof loadRun>>, a: GenerateArgs, write: (s: string) => void): Promise<number> {
  const cfg = task.parse(ckpt.meta.config, `checkpoint ${ckpt.path}`);
  const tokenizer = readTokenizer(a.dir);
  // the model needs only the vocabulary: an empty corpus with the run's tokenizer
  const state = task.build(cfg, { name: 'prompt', tokenizer, entries: [], labels: new Int32Array(0), categories: [] });
  try {
    if (!state.encoder.causal) throw new UsageError(`${a.dir} holds a ${task.id} checkpoint, a bidirectional masked LM; generate needs a causal model (\`pretext train gpt --dataset fortunes\`)`);
    restoreRun(ckpt, state);
    const context = state.encoder.config.maxLen;
    let prompt = Int32Array.from([SEP, ...tokenizer.encode(a.prompt)]);
    if (prompt.length > context) {
      if (a.overflow === 'reject') throw new UsageError(`--prompt is ${prompt.length - 1} tokens; with [SEP] that is longer than the model's context of ${context} (--overflow truncate keeps the last ${context - 1})`);
      prompt = Int32Array.from([SEP, ...prompt.subarray(prompt.length - (context - 1))]);
    }
    write(a.prompt);
    const t0 = performance.now();
    const ids = await generate(state.encoder.net, lmHead(state), prompt, { tokens: a.tokens, temperature: a.temperature, topK: a.topK, seed: a.seed, cache: a.cache, onToken: streamer(tokenizer, write) });
    const s = (performance.now() - t0) / 1000;
    process.stderr.write(`\n\n${ids.length} tokens in ${s.toFixed(2)} s (${(ids.length / s).toFixed(1)} tokens/s, ${a.cache ? 'KV cache' : 'no cache'}), temperature ${a.temperature}${a.topK ? `, top-${a.topK}` : ''}, seed ${a.seed}\n`);
  } finally {
    state.dispose();
  }
  return 0;
}
