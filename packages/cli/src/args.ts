// Command-line parsing and validation for `pretext`: every bad input becomes a UsageError whose
// message names the flag and the valid values (main.ts prints it without a stack trace).
import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { DatasetId, PresetId, Task } from '@pretext/tasks';

/** An error the user caused: printed as one message, exit code 2, no stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const PRESETS: readonly PresetId[] = ['quick', 'full'];
export const BASELINES = ['raw-pixels', 'random-init', 'supervised'] as const;
export type BaselineName = (typeof BASELINES)[number];

export const USAGE = `pretext <command> [options]

  train <task> --dataset <name> [--preset quick|full] [--epochs N] [--batch-size N] [--seed N]
               [--train-limit N] [--out DIR] [--resume] [--log-every N] [--no-progress]
               [--baselines raw-pixels,random-init,supervised|none]
      Pretrain an encoder; writes DIR/metrics.jsonl, DIR/checkpoints/, DIR/summary.json,
      DIR/report.html. Ctrl-C saves a checkpoint; --resume continues from it.
  eval <DIR> [--protocol NAME]... [--baselines LIST|none]
                                    Re-run evaluation protocols on DIR's latest checkpoint.
  report <DIR>                      Rebuild DIR/report.html from the files in DIR.
  bench [bench options]             Kernel and training throughput (same as \`pnpm bench\`).`;

export interface TrainArgs {
  command: 'train';
  task: Task;
  dataset: DatasetId;
  preset: PresetId;
  /** Overrides of the preset; undefined = the preset's value. */
  epochs?: number;
  batchSize?: number;
  seed?: number;
  /** Train on the first N images of the (shuffled) train split. */
  trainLimit?: number;
  out: string;
  resume: boolean;
  logEvery: number;
  progress: boolean;
  /** Baselines evaluated next to the encoder; undefined = all. */
  baselines?: BaselineName[];
}

export interface EvalArgs {
  command: 'eval';
  dir: string;
  protocols?: string[];
  baselines?: BaselineName[];
}

export interface ReportArgs {
  command: 'report';
  dir: string;
}

export interface BenchArgs {
  command: 'bench';
  args: string[];
}

export type CliArgs = TrainArgs | EvalArgs | ReportArgs | BenchArgs | { command: 'help' };

function positiveInt(v: string | undefined, flag: string, min = 1): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < min) throw new UsageError(`--${flag} must be an integer ≥ ${min}, got '${v}'`);
  return n;
}

function parse(args: string[], options: NonNullable<ParseArgsConfig['options']>, command: string) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(`pretext ${command}: ${(e as Error).message}\n\n${USAGE}`);
  }
}

/** Parses argv (without `node main.ts`). `tasks` and `datasets` are the registries to validate against. */
export function parseCli(argv: string[], tasks: Record<string, Task>, datasets: readonly DatasetId[]): CliArgs {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') return { command: 'help' };
  switch (command) {
    case 'train':
      return parseTrain(rest, tasks, datasets);
    case 'eval': {
      const { values, positionals } = parse(rest, { protocol: { type: 'string', multiple: true }, baselines: { type: 'string' } }, 'eval');
      return { command: 'eval', dir: oneDir(positionals, 'eval'), protocols: values.protocol as string[] | undefined, baselines: baselineList(values.baselines as string | undefined) };
    }
    case 'report': {
      const { positionals } = parse(rest, {}, 'report');
      return { command: 'report', dir: oneDir(positionals, 'report') };
    }
    case 'bench':
      return { command: 'bench', args: rest };
    default:
      throw new UsageError(`unknown command '${command}'; valid: train, eval, report, bench\n\n${USAGE}`);
  }
}

/** `--baselines a,b` → the named baselines (each valid, once); 'none' → []; absent → undefined (all). */
function baselineList(v: string | undefined): BaselineName[] | undefined {
  if (v === undefined) return undefined;
  if (v === 'none') return [];
  const names = v.split(',').map((s) => s.trim());
  for (const b of names) {
    if (!(BASELINES as readonly string[]).includes(b)) throw new UsageError(`--baselines: unknown baseline '${b}'; valid: ${BASELINES.join(', ')}, or none`);
  }
  if (new Set(names).size !== names.length) throw new UsageError(`--baselines: '${v}' names a baseline twice`);
  return names as BaselineName[];
}

function oneDir(positionals: string[], command: string): string {
  if (positionals.length !== 1) throw new UsageError(`pretext ${command} takes one run directory, got ${positionals.length ? positionals.map((p) => `'${p}'`).join(' ') : 'none'}`);
  return positionals[0];
}

function parseTrain(rest: string[], tasks: Record<string, Task>, datasets: readonly DatasetId[]): TrainArgs {
  const { values: v, positionals } = parse(
    rest,
    {
      dataset: { type: 'string' },
      preset: { type: 'string', default: 'quick' },
      epochs: { type: 'string' },
      'batch-size': { type: 'string' },
      seed: { type: 'string' },
      'train-limit': { type: 'string' },
      out: { type: 'string' },
      resume: { type: 'boolean', default: false },
      'log-every': { type: 'string', default: '1' },
      'no-progress': { type: 'boolean', default: false },
      baselines: { type: 'string' },
    },
    'train',
  );
  const taskIds = Object.keys(tasks);
  const taskList = taskIds.map((id) => `  ${id.padEnd(10)} ${tasks[id].summary}`).join('\n');
  if (positionals.length !== 1) throw new UsageError(`pretext train takes one task, got ${positionals.length ? positionals.map((p) => `'${p}'`).join(' ') : 'none'}; valid tasks:\n${taskList}`);
  const task = tasks[positionals[0]];
  if (!task) throw new UsageError(`unknown task '${positionals[0]}'; valid tasks:\n${taskList}`);
  const dataset = v.dataset as string | undefined;
  if (!dataset) throw new UsageError(`pretext train ${task.id} needs --dataset; valid: ${datasets.join(', ')}`);
  if (!(datasets as readonly string[]).includes(dataset)) throw new UsageError(`unknown dataset '${dataset}'; valid: ${datasets.join(', ')}`);
  const preset = v.preset as string;
  if (!(PRESETS as readonly string[]).includes(preset)) throw new UsageError(`unknown preset '${preset}'; valid: ${PRESETS.join(', ')}`);
  const seed = positiveInt(v.seed as string | undefined, 'seed', 0);
  return {
    command: 'train',
    task,
    dataset: dataset as DatasetId,
    preset: preset as PresetId,
    epochs: positiveInt(v.epochs as string | undefined, 'epochs'),
    batchSize: positiveInt(v['batch-size'] as string | undefined, 'batch-size', 2),
    seed,
    trainLimit: positiveInt(v['train-limit'] as string | undefined, 'train-limit'),
    out: (v.out as string | undefined) ?? `runs/${task.id}-${dataset}-${preset}-seed${seed ?? 0}`,
    resume: v.resume as boolean,
    logEvery: positiveInt(v['log-every'] as string, 'log-every') as number,
    progress: !(v['no-progress'] as boolean),
    baselines: baselineList(v.baselines as string | undefined),
  };
}
