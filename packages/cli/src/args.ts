// Command-line parsing and validation for `pretext`: every bad input becomes a UsageError whose
// message names the flag and the valid values (main.ts prints it without a stack trace). A task's
// flags come from its option schema (flags.ts); `--config file.json` sets the same options.
import { existsSync, readFileSync } from 'node:fs';
import { type AnyTask, flagOf, OptionError, PRESETS, type PresetId } from '@pretext/tasks';
import { type CompareArgs, parseCompare } from './compare-args.js';
import { type FlagSpec, type FlagValues, parseFlags, taskFlags, taskOverrides, UsageError } from './flags.js';

export { UsageError };
export { PRESETS };
export const BASELINES = ['raw-pixels', 'random-init', 'supervised'] as const;
export type BaselineName = (typeof BASELINES)[number];

export const USAGE = `pretext <command> [options]

  train <task> --dataset <name> [--preset quick|full] [--config FILE] [--<option> VALUE]...
               [--out DIR] [--resume] [--log-every N] [--no-progress]
               [--baselines raw-pixels,random-init,supervised|none]
      Pretrain an encoder; writes DIR/metrics.jsonl, DIR/checkpoints/, DIR/summary.json,
      DIR/report.html. Ctrl-C saves a checkpoint; --resume continues from it.
      \`pretext train <task> --help\` lists the task's options (--lr, --tau, …) with defaults.
  eval <DIR> [--protocol NAME]... [--baselines LIST|none]
                                    Re-run evaluation protocols on DIR's latest checkpoint.
  report <DIR>                      Rebuild DIR/report.html from the files in DIR.
  compare --dataset <name> --tasks a,b,… --budget <N>min|<N>ep
                                    Train each task alike; one table of them all (\`pretext compare --help\`).
  bench [bench options]             Kernel and training throughput (same as \`pnpm bench\`).`;

export interface TrainArgs {
  command: 'train';
  task: AnyTask;
  dataset: string;
  preset: PresetId;
  /** Option values given by --config and flags (flags win), each checked by the task's schema. */
  overrides: Record<string, unknown>;
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

export type CliArgs = TrainArgs | EvalArgs | ReportArgs | BenchArgs | CompareArgs | { command: 'help'; text: string };

function positiveInt(v: string | undefined, flag: string, min = 1): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < min) throw new UsageError(`--${flag} must be an integer ≥ ${min}, got '${v}'`);
  return n;
}

const HELP_HINT = '; see `pretext <command> --help`';

/** Parses argv (without `node main.ts`). `tasks` is the registry to validate against. */
export function parseCli(argv: string[], tasks: Record<string, AnyTask>): CliArgs {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') return { command: 'help', text: USAGE };
  const wantsHelp = rest.includes('--help') || rest.includes('-h');
  switch (command) {
    case 'train':
      return parseTrain(rest, tasks);
    case 'eval': {
      if (wantsHelp) return { command: 'help', text: USAGE };
      const { values, positionals } = parseFlags(rest, { protocol: 'list', baselines: 'string' }, 'eval', HELP_HINT);
      return { command: 'eval', dir: oneDir(positionals, 'eval'), protocols: values.protocol as string[] | undefined, baselines: baselineList(values.baselines as string | undefined) };
    }
    case 'report': {
      if (wantsHelp) return { command: 'help', text: USAGE };
      const { positionals } = parseFlags(rest, {}, 'report', HELP_HINT);
      return { command: 'report', dir: oneDir(positionals, 'report') };
    }
    case 'bench':
      return { command: 'bench', args: rest };
    case 'compare':
      return parseCompare(rest, tasks, baselineList);
    default:
      throw new UsageError(`unknown command '${command}'; valid: train, eval, report, compare, bench\n\n${USAGE}`);
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

/** The flags of `pretext train` besides the task's options. */
const RUN_FLAGS: FlagSpec = {
  dataset: 'string', preset: 'string', config: 'string', out: 'string', resume: 'boolean', 'log-every': 'string', progress: 'boolean', baselines: 'string', help: 'boolean',
};

const RUN_HELP: [string, string][] = [
  ['--dataset NAME', 'the data to train on (required)'],
  ['--preset NAME', `option values sized for a run: ${PRESETS.join(' | ')} (default quick)`],
  ['--config FILE', 'option values as JSON, e.g. {"lr": 0.002, "tau": 0.2}; flags override it'],
  ['--out DIR', 'the run directory (default runs/<task>-<dataset>-<preset>-seed<seed>)'],
  ['--resume', "continue DIR's latest checkpoint with its saved config"],
  ['--log-every N', 'a metrics row every N steps (default 1)'],
  ['--no-progress', 'no progress bar'],
  ['--baselines LIST', 'raw-pixels,random-init,supervised or none (default all)'],
];

function taskList(tasks: Record<string, AnyTask>): string {
  return Object.values(tasks).map((t) => `  ${t.id.padEnd(14)} ${t.summary}`).join('\n');
}

/** `pretext train <task> --help`: every option as a flag, its range, and its default per dataset and preset. */
export function trainHelp(task: AnyTask): string {
  const cols = task.datasets.flatMap((d) => PRESETS.map((p) => ({ d, p, values: task.config(d, p) })));
  const show = (v: unknown) => (v === undefined ? '—' : typeof v === 'number' ? String(+v.toPrecision(6)) : String(v));
  const rows = Object.entries(task.options).map(([k, o]) => [flagOf(k), o.range, ...cols.map((c) => show(c.values[k])), o.help]);
  const head = ['option', 'valid', ...cols.map((c) => `${c.d}/${c.p}`), ''];
  const width = head.map((_, i) => Math.max(head[i].length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => `  ${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(width[i]))).join('  ')}`.trimEnd();
  return [
    `pretext train ${task.id} --dataset ${task.datasets.join('|')} [--preset ${PRESETS.join('|')}] [options]`,
    '',
    task.summary,
    '',
    'Run:',
    ...RUN_HELP.map(([f, h]) => `  ${f.padEnd(18)} ${h}`),
    '',
    `Options (defaults per dataset/preset; \`--<option> VALUE\`, booleans also \`--<option>\` / \`--no-<option>\`):`,
    line(head),
    ...rows.map(line),
  ].join('\n');
}

/** Option values from a --config JSON file: an object of known options, named in errors. */
function readConfigFile(path: string, task: AnyTask): Record<string, unknown> {
  if (!existsSync(path)) throw new UsageError(`--config: ${path} does not exist`);
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`--config: ${path} is not valid JSON (${(e as Error).message})`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new UsageError(`--config: ${path} must hold a JSON object of option values, e.g. {"lr": 0.002}`);
  const { task: t, dataset, preset, ...values } = v as Record<string, unknown>;
  if (t !== undefined && t !== task.id) throw new UsageError(`--config: ${path} is for task '${String(t)}', not '${task.id}'`);
  if (dataset !== undefined || preset !== undefined) throw new UsageError(`--config: ${path}: set the dataset and preset with --dataset and --preset, not in the file`);
  return values;
}

function parseTrain(rest: string[], tasks: Record<string, AnyTask>): TrainArgs | { command: 'help'; text: string } {
  const first = rest[0];
  if (first === undefined || first.startsWith('-')) {
    if (rest.includes('--help') || rest.includes('-h')) return { command: 'help', text: `pretext train <task> --dataset <name> [options]\n\nTasks:\n${taskList(tasks)}\n\n\`pretext train <task> --help\` lists a task's options.` };
    throw new UsageError(`pretext train takes one task first, got none; valid tasks:\n${taskList(tasks)}`);
  }
  const task = tasks[first];
  if (!task) throw new UsageError(`unknown task '${first}'; valid tasks:\n${taskList(tasks)}`);
  if (rest.includes('--help') || rest.includes('-h')) return { command: 'help', text: trainHelp(task) };
  const spec = { ...taskFlags(task.options), ...RUN_FLAGS };
  const { values: v, positionals } = parseFlags(rest.slice(1), spec, `train ${task.id}`, `; see \`pretext train ${task.id} --help\``);
  if (positionals.length) throw new UsageError(`pretext train takes one task, got ${[first, ...positionals].map((p) => `'${p}'`).join(' ')}`);
  const dataset = v.dataset as string | undefined;
  if (!dataset) throw new UsageError(`pretext train ${task.id} needs --dataset; valid: ${task.datasets.join(', ')}`);
  if (!(task.datasets as readonly string[]).includes(dataset)) throw new UsageError(`unknown dataset '${dataset}' for ${task.id}; valid: ${task.datasets.join(', ')}`);
  const preset = (v.preset as string | undefined) ?? 'quick';
  if (!(PRESETS as readonly string[]).includes(preset)) throw new UsageError(`unknown preset '${preset}'; valid: ${PRESETS.join(', ')}`);
  let overrides: Record<string, unknown>;
  let seed: number;
  try {
    overrides = { ...(v.config ? readConfigFile(v.config as string, task) : {}), ...taskOverrides(task.options, v as FlagValues) };
    seed = task.config(dataset, preset as PresetId, overrides).seed; // checks every value now, before anything runs
  } catch (e) {
    if (e instanceof OptionError) throw new UsageError(`${v.config && !(e.message.startsWith('--')) ? `--config ${v.config}: ` : ''}${e.message}`);
    throw e;
  }
  return {
    command: 'train',
    task,
    dataset,
    preset: preset as PresetId,
    overrides,
    out: (v.out as string | undefined) ?? `runs/${task.id}-${dataset}-${preset}-seed${seed}`,
    resume: (v.resume as boolean | undefined) ?? false,
    logEvery: positiveInt(v['log-every'] as string | undefined, 'log-every') ?? 1,
    progress: (v.progress as boolean | undefined) ?? true,
    baselines: baselineList(v.baselines as string | undefined),
  };
}
