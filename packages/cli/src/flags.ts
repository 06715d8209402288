// Command-line flags: `--name value`, `--name=value`, and booleans as `--name`, `--no-name` or
// `--name true|false`. Each command declares its own flags; a task's flags are derived from its
// option schema (see taskFlags), so every hyper-parameter is settable and checked the same way.
import { flagOf, OptionError, type PresetId, presetId, type Schema } from '@pretext/tasks';

export type FlagKind = 'string' | 'boolean' | 'list';
export type FlagSpec = Record<string, FlagKind>;
export type FlagValues = Record<string, string | boolean | string[]>;

/** An error the user caused: printed as one message, exit code 2, no stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Splits argv into the declared flags (by name without dashes) and positionals; `--` ends flags. */
export function parseFlags(argv: readonly string[], spec: FlagSpec, command: string, hint = ''): { values: FlagValues; positionals: string[] } {
  const values: FlagValues = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i];
    if (tok === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!tok.startsWith('--') || tok === '--') {
      if (tok.startsWith('-') && tok.length > 1 && !/^-\d/.test(tok)) throw new UsageError(`pretext ${command}: unknown flag '${tok}'${hint}`);
      positionals.push(tok);
      continue;
    }
    const eq = tok.indexOf('=');
    let name = eq > 0 ? tok.slice(2, eq) : tok.slice(2);
    let inline: string | undefined = eq > 0 ? tok.slice(eq + 1) : undefined;
    if (!(name in spec) && name.startsWith('no-') && spec[name.slice(3)] === 'boolean' && inline === undefined) {
      name = name.slice(3);
      inline = 'false';
    }
    const kind = spec[name];
    if (!kind) throw new UsageError(`pretext ${command}: unknown flag '--${name}'${hint}`);
    let value: string | boolean;
    if (kind === 'boolean') {
      const next = argv[i + 1];
      if (inline !== undefined) value = parseBool(name, inline);
      else if (next === 'true' || next === 'false') value = parseBool(name, argv[++i]);
      else value = true;
    } else {
      if (inline !== undefined) value = inline;
      else {
        if (i + 1 >= argv.length || argv[i + 1].startsWith('--')) throw new UsageError(`pretext ${command}: --${name} needs a value`);
        value = argv[++i];
      }
    }
    if (kind === 'list') values[name] = [...((values[name] as string[] | undefined) ?? []), value as string];
    else if (name in values) throw new UsageError(`pretext ${command}: --${name} is given twice`);
    else values[name] = value;
  }
  return { values, positionals };
}

function parseBool(name: string, v: string): boolean {
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new UsageError(`--${name} must be true or false, got '${v}'`);
}

/** A task's flags: one per option (queueSize → queue-size), booleans as booleans. */
export function taskFlags(schema: Schema): FlagSpec {
  const spec: FlagSpec = {};
  for (const [k, o] of Object.entries(schema)) spec[flagOf(k).slice(2)] = o.type === 'boolean' ? 'boolean' : 'string';
  return spec;
}

/** Flag values of a task's options → option values, each parsed and checked by its schema entry. */
export function taskOverrides(schema: Schema, values: FlagValues): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, o] of Object.entries(schema)) {
    const v = values[flagOf(k).slice(2)];
    if (v === undefined) continue;
    out[k] = typeof v === 'boolean' ? v : o.fromString(v as string, k);
  }
  return out;
}

/** --preset NAME (default quick), checked against the presets every task may have. */
export function presetFlag(value: string | boolean | string[] | undefined): PresetId {
  try {
    return presetId((value as string | undefined) ?? 'quick');
  } catch (e) {
    if (e instanceof OptionError) throw new UsageError(e.message);
    throw e;
  }
}
