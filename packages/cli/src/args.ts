// Command-line parsing and validation for `pretext`: every bad input becomes a UsageError whose
// message names the flag and the valid values (main.ts prints it without a stack trace). A task's
// flags come from its option schema (flags.ts); `--config file.json` sets the same options.
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { type AnyTask, flagOf, type FolderRef, OptionError, PRESETS, type PresetId } from '@pretext/tasks';
import { EMBED_USAGE, type EmbedArgs, parseEmbed } from './embed.js';
import { EXPORT_USAGE, type ExportArgs, parseExport } from './export.js';
import { currentCommit } from './summary.js';
import { type CompareArgs, COMPARE_USAGE, parseCompare } from './compare-args.js';
import { type FlagSpec, type FlagValues, parseFlags, presetFlag, taskFlags, taskOverrides, UsageError } from './flags.js';
import { FOLDER_HELP, folderDataset, imageSizeFlag } from './folder-dataset.js';
import { GENERATE_USAGE, type GenerateArgs, parseGenerate } from './generate.js';

export { UsageError };
export { PRESETS };
export const BASELINES = ['raw-pixels', 'random-init', 'supervised'] as const;
export type BaselineName = (typeof BASELINES)[number];

export const USAGE = `pretext <command> [options]

  train <task> --dataset <name> [--preset quick|full|large] [--config FILE] [--<option> VALUE]...
               [--out DIR] [--resume | --overwrite] [--log-every N] [--progress-every N]
               [--no-progress] [--baselines raw-pixels,random-init,supervised|none]
      Pretrain an encoder; writes DIR/metrics.jsonl, DIR/checkpoints/, DIR/summary.json,
      DIR/report.html. Ctrl-C saves a checkpoint; --resume continues from it.
      \`pretext train <task> --help\` lists the task's options (--lr, --tau, …) with defaults.
  eval <DIR> [--protocol NAME]... [--baselines LIST|none] [--dataset FOLDER]
                                    Re-run evaluation protocols on DIR's latest checkpoint
                                    (on a folder of labelled images with --dataset).
${EXPORT_USAGE}
${EMBED_USAGE}
  report <DIR> [<DIR>...] [--out FILE]
                                    Rebuild DIR/report.html; several runs: one page side by side.
  compare --dataset <name> --tasks a,b,… --budget <N>min|<N>ep
                                    Train each task alike; one table of them all (\`pretext compare --help\`).
${GENERATE_USAGE}
  bench [bench options]             Kernel and training throughput (same as \`pnpm bench\`).

  pretext <command> --help          That command's options.   pretext --version   The version.`;

export const EVAL_HELP = `pretext eval <DIR> [--protocol NAME]... [--baselines LIST|none] [--dataset FOLDER]

Re-runs evaluation protocols on the latest checkpoint of the run directory DIR and adds the
results to DIR/summary.json (earlier results are kept) and DIR/report.html.

  --protocol NAME     ${'linear, knn, few-label, finetune, align-uniform, rankme, retrieval'} (repeatable; default all the data allows)
  --baselines LIST    raw-pixels,random-init,supervised or none (default all)
  --dataset FOLDER    evaluate on a folder of labelled images (sub-folders are classes) instead`;

export const REPORT_HELP = `pretext report <DIR> [<DIR>...] [--out FILE]

One run directory: rebuilds DIR/report.html from DIR's files (summary.json, metrics.jsonl, figures).
Several: one page comparing the runs side by side (curves overlaid, evaluations in one table),
written to --out (default report-compare.html in the current directory).

  --out FILE          where the comparison page goes (several runs only)`;

export interface TrainArgs {
  command: 'train';
  task: AnyTask;
  /** Required for a new run; with --resume it comes from the checkpoint when not given. */
  dataset?: string;
  preset: PresetId;
  /** When --dataset is a folder of images (then `dataset` is its absolute path). */
  folder?: FolderRef;
  /** Option values given by --config and flags (flags win), each checked by the task's schema. */
  overrides: Record<string, unknown>;
  /** What the user set explicitly (--dataset, --preset, options): what --resume compares with the checkpoint. */
  given: Record<string, unknown>;
  out: string;
  /** False when `out` is the default name (a taken default moves on to a fresh numbered directory). */
  outGiven: boolean;
  resume: boolean;
  overwrite: boolean;
  /** Plain progress lines every this many steps when not on a terminal (default: about 50 per run). */
  progressEvery?: number;
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
  /** A folder of labelled images to evaluate on instead of the run's test split. */
  dataset?: string;
}

export interface ReportArgs {
  command: 'report';
  dirs: string[];
  out?: string;
}

export interface BenchArgs {
  command: 'bench';
  args: string[];
}

export type CliArgs = TrainArgs | EvalArgs | ReportArgs | BenchArgs | CompareArgs | ExportArgs | EmbedArgs | GenerateArgs | { command: 'help'; text: string };

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
  if (command === '--version' || command === '-V' || command === 'version') return { command: 'help', text: versionText() };
  const wantsHelp = rest.includes('--help') || rest.includes('-h');
  switch (command) {
    case 'train':
      return parseTrain(rest, tasks);
    case 'eval': {
      if (wantsHelp) return { command: 'help', text: EVAL_HELP };
      const { values, positionals } = parseFlags(rest, { protocol: 'list', baselines: 'string', dataset: 'string' }, 'eval', HELP_HINT);
      return { command: 'eval', dir: oneDir(positionals, 'eval'), protocols: values.protocol as string[] | undefined, baselines: baselineList(values.baselines as string | undefined), dataset: values.dataset as string | undefined };
    }
    case 'report': {
      if (wantsHelp) return { command: 'help', text: REPORT_HELP };
      const { values, positionals } = parseFlags(rest, { out: 'string' }, 'report', HELP_HINT);
      if (!positionals.length) throw new UsageError('pretext report takes one or more run directories, got none');
      if (values.out !== undefined && positionals.length < 2) throw new UsageError('pretext report: --out is for comparing several runs; one run\'s report is DIR/report.html');
      return { command: 'report', dirs: positionals, out: values.out as string | undefined };
    }
    case 'bench':
      return { command: 'bench', args: rest };
    case 'compare':
      return wantsHelp ? { command: 'help', text: COMPARE_USAGE } : parseCompare(rest, tasks, baselineList);
    case 'export':
      return wantsHelp ? { command: 'help', text: USAGE } : parseExport(rest);
    case 'embed':
      return wantsHelp ? { command: 'help', text: USAGE } : parseEmbed(rest);
    case 'generate':
      return wantsHelp ? { command: 'help', text: USAGE } : parseGenerate(rest);
    default:
      throw new UsageError(`unknown ${command.startsWith('-') ? 'option' : 'command'} '${command}'; valid: train, eval, report, compare, generate, export, embed, bench, --help, --version\n\n${USAGE}`);
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
  dataset: 'string', 'image-size': 'string', preset: 'string', config: 'string', out: 'string', resume: 'boolean', overwrite: 'boolean', 'log-every': 'string', 'progress-every': 'string', progress: 'boolean', baselines: 'string', help: 'boolean',
};

const RUN_HELP: [string, string][] = [
  ['--dataset NAME', `the data to train on (required): a known dataset, ${FOLDER_HELP}`],
  ['--image-size N', 'a folder dataset: images resized to N×N (shorter side, centre crop)'],
  ['--preset NAME', `option values sized for a run: ${PRESETS.join(' | ')} (large: where the task defines it; default quick)`],
  ['--config FILE', 'option values as JSON, e.g. {"lr": 0.002, "tau": 0.2}; flags override it'],
  ['--out DIR', 'the run directory (default runs/<task>-<dataset>-<preset>-seed<seed>, or -2, -3, … when taken)'],
  ['--resume', "continue DIR's latest checkpoint with its saved config (--dataset optional)"],
  ['--overwrite', "delete DIR's previous run (only files pretext wrote) and start over"],
  ['--log-every N', 'a metrics row every N steps (default 1)'],
  ['--progress-every N', 'off a terminal: a progress line every N steps (default ~50 a run) and each epoch'],
  ['--no-progress', 'no progress bar or lines'],
  ['--baselines LIST', 'raw-pixels,random-init,supervised or none (default all)'],
];

/** \`pretext --version\`: the package version and the commit of the checkout it runs from. */
export function versionText(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return `pretext ${pkg.version} (commit ${currentCommit()}, node ${process.versions.node})`;
}

function taskList(tasks: Record<string, AnyTask>): string {
  return Object.values(tasks).map((t) => `  ${t.id.padEnd(14)} ${t.summary}`).join('\n');
}

/** `pretext train <task> --help`: every option as a flag, its range, and its default per dataset and preset. */
export function trainHelp(task: AnyTask): string {
  const cols = task.datasets.flatMap((d) => task.presetsOf(d).map((p) => ({ d, p, values: task.config(d, p) })));
  const show = (v: unknown) => (v === undefined ? '—' : typeof v === 'number' ? String(+v.toPrecision(6)) : String(v));
  const rows = Object.entries(task.options).map(([k, o]) => [flagOf(k), o.range, ...cols.map((c) => show(c.values[k])), o.help]);
  const head = ['option', 'valid', ...cols.map((c) => `${c.d}/${c.p}`), ''];
  const width = head.map((_, i) => Math.max(head[i].length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => `  ${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(width[i]))).join('  ')}`.trimEnd();
  return [
    `pretext train ${task.id} --dataset ${task.datasets.join('|')} [--preset ${[...new Set(cols.map((c) => c.p))].join('|')}] [options]`,
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
  let dataset = v.dataset as string | undefined;
  const resume = (v.resume as boolean | undefined) ?? false;
  if (resume && v.overwrite) throw new UsageError('--resume and --overwrite contradict each other: continue the run or start it over, not both');
  if (!dataset && !(resume && v.out)) throw new UsageError(`pretext train ${task.id} needs --dataset; valid: ${task.datasets.join(', ')}, or a folder of images${resume ? ' (or --out DIR of the run to resume)' : ''}`);
  const imageSize = imageSizeFlag(v['image-size'] as string | undefined);
  let folder: FolderRef | undefined;
  if (dataset && !(task.datasets as readonly string[]).includes(dataset)) {
    if (task.modality !== 'image') throw new UsageError(`unknown dataset '${dataset}' for ${task.id}; valid: ${task.datasets.join(', ')}`);
    ({ dataset, folder } = folderDataset(dataset, imageSize, task.datasets));
  } else if (imageSize !== undefined) throw new UsageError(`--image-size applies to a folder dataset; ${dataset} is ${dataset === 'fashion-mnist' ? '28×28' : '64×64'}`);
  const preset = presetFlag(v.preset);
  let overrides: Record<string, unknown>;
  let seed: number;
  try {
    overrides = { ...(v.config ? readConfigFile(v.config as string, task) : {}), ...taskOverrides(task.options, v as FlagValues) };
    seed = task.config(dataset ?? task.datasets[0], preset, overrides, folder).seed; // checks every value now, before anything runs
  } catch (e) {
    if (e instanceof OptionError) throw new UsageError(`${v.config && !(e.message.startsWith('--')) ? `--config ${v.config}: ` : ''}${e.message}`);
    throw e;
  }
  const given: Record<string, unknown> = { ...(dataset ? { dataset } : {}), ...(v.preset ? { preset } : {}), ...overrides };
  return {
    command: 'train',
    task,
    dataset,
    preset,
    ...(folder ? { folder } : {}),
    overrides,
    given,
    out: (v.out as string | undefined) ?? `runs/${task.id}-${folder ? basename(dataset as string) : dataset}-${preset}-seed${seed}`,
    outGiven: v.out !== undefined,
    resume,
    overwrite: (v.overwrite as boolean | undefined) ?? false,
    logEvery: positiveInt(v['log-every'] as string | undefined, 'log-every') ?? 1,
    progressEvery: positiveInt(v['progress-every'] as string | undefined, 'progress-every'),
    progress: (v.progress as boolean | undefined) ?? true,
    baselines: baselineList(v.baselines as string | undefined),
  };
}
