// `pretext compare`'s command line: the dataset, the tasks, the budget each trains for, and the
// options every task shares (the encoder, the data and the evaluation), checked before anything runs.
import { type AnyTask, convEncoderOptions, flagOf, OptionError, type PresetId, trainingOptions } from '@pretext/tasks';
import { type FlagSpec, parseFlags, presetFlag, taskFlags, taskOverrides, UsageError } from './flags.js';
import type { BaselineName } from './args.js';

/** What every task of a comparison trains for: wall minutes of training each, or passes over the data. */
export type Budget = { kind: 'minutes'; minutes: number } | { kind: 'epochs'; epochs: number };

/** The options a comparison sets alike for every task: the same encoder, the same data, the same evaluation. */
export const SHARED = {
  seed: trainingOptions.seed,
  trainLimit: trainingOptions.trainLimit,
  testLimit: trainingOptions.testLimit,
  probeEpochs: trainingOptions.probeEpochs,
  probeSelect: trainingOptions.probeSelect,
  supervisedEpochs: trainingOptions.supervisedEpochs,
  finetuneEpochs: trainingOptions.finetuneEpochs,
  finetuneEncoderLr: trainingOptions.finetuneEncoderLr,
  ...convEncoderOptions,
};

export interface CompareArgs {
  command: 'compare';
  dataset: string;
  /** The tasks to train, in the order given (each known to the registry). */
  tasks: AnyTask[];
  budget: Budget;
  preset: PresetId;
  /** Values of SHARED options given as flags (the rest come from the first task's preset). */
  shared: Record<string, unknown>;
  out: string;
  baselines?: BaselineName[];
  progress: boolean;
}

export const COMPARE_USAGE = `pretext compare --dataset <name> --tasks a,b,… --budget <N>min|<N>ep [--preset quick|full]
               [--out DIR] [--baselines LIST|none] [--no-progress] [--<shared option> VALUE]...
      Trains each task for the same budget (minutes of training each, or epochs) with the same
      encoder, data and evaluation, and writes DIR/results.md, DIR/results.html, DIR/compare.json
      and one run directory per task (DIR/<task>/, each with its report).
      Shared options (default: the first task's preset): ${Object.keys(SHARED).map(flagOf).join(' ')}`;

/** '10min', '2.5 minutes' → minutes; '3ep', '1 epoch' → epochs; anything else is a UsageError. */
export function parseBudget(text: string): Budget {
  const m = /^\s*(\d+(?:\.\d*)?|\.\d+)\s*(min|mins|minutes?|m|ep|epochs?)\s*$/.exec(text);
  const v = m ? Number(m[1]) : Number.NaN;
  if (!m || !(v > 0)) throw new UsageError(`--budget must be minutes of training per task (e.g. 10min) or epochs (e.g. 3ep), greater than 0; got '${text}'`);
  return m[2].startsWith('e') ? { kind: 'epochs', epochs: v } : { kind: 'minutes', minutes: v };
}

export const budgetText = (b: Budget): string => (b.kind === 'minutes' ? `${b.minutes} min` : `${b.epochs} ${b.epochs === 1 ? 'epoch' : 'epochs'}`);

const FLAGS: FlagSpec = { dataset: 'string', tasks: 'string', budget: 'string', preset: 'string', out: 'string', baselines: 'string', progress: 'boolean', help: 'boolean', ...taskFlags(SHARED) };

export function parseCompare(argv: readonly string[], registry: Record<string, AnyTask>, baselineList: (v: string | undefined) => BaselineName[] | undefined): CompareArgs | { command: 'help'; text: string } {
  if (argv.includes('--help') || argv.includes('-h')) return { command: 'help', text: COMPARE_USAGE };
  const hint = '; see `pretext compare --help`';
  const { values: v, positionals } = parseFlags(argv, FLAGS, 'compare', hint);
  if (positionals.length) throw new UsageError(`pretext compare takes no positional arguments, got ${positionals.map((p) => `'${p}'`).join(' ')}${hint}`);
  const dataset = v.dataset as string | undefined;
  if (!dataset) throw new UsageError(`pretext compare needs --dataset${hint}`);
  const list = v.tasks as string | undefined;
  if (!list) throw new UsageError(`pretext compare needs --tasks, e.g. --tasks ${Object.keys(registry).join(',')}`);
  const ids = list.split(',').map((s) => s.trim()).filter(Boolean);
  for (const id of ids) if (!registry[id]) throw new UsageError(`--tasks: unknown task '${id}'; valid: ${Object.keys(registry).join(', ')}`);
  if (new Set(ids).size !== ids.length) throw new UsageError(`--tasks: '${list}' names a task twice`);
  if (!ids.length) throw new UsageError('--tasks names no task');
  if (v.budget === undefined) throw new UsageError('pretext compare needs --budget: minutes of training per task (e.g. 10min) or epochs (e.g. 3ep)');
  const budget = parseBudget(v.budget as string);
  const preset = presetFlag(v.preset);
  let shared: Record<string, unknown>;
  try {
    shared = taskOverrides(SHARED, v);
  } catch (e) {
    if (e instanceof OptionError) throw new UsageError(e.message);
    throw e;
  }
  const tag = budget.kind === 'minutes' ? `${budget.minutes}min` : `${budget.epochs}ep`;
  return {
    command: 'compare',
    dataset,
    tasks: ids.map((id) => registry[id]),
    budget,
    preset,
    shared,
    out: (v.out as string | undefined) ?? `runs/compare-${dataset}-${preset}-${tag}`,
    baselines: baselineList(v.baselines as string | undefined),
    progress: (v.progress as boolean | undefined) ?? true,
  };
}
