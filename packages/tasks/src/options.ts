// A task's config as a typed schema: each option's type, default, valid range and help line.
// `ConfigOf<typeof options>` is the task's typed config; the CLI derives its flags from the
// schema (lr → --lr, queueSize → --queue-size), and flags, `--config file.json` and the config a
// checkpoint saved are all validated by the same `parseOptions`.

/** A bad option value: the message names the option, what was given and the valid range. */
export class OptionError extends Error {
  override name = 'OptionError';
}

/** The dataset itself does not suit the task (colour for colorization): `train` refuses, `compare` skips the task with this reason. */
export class DatasetError extends OptionError {
  override name = 'DatasetError';
}

export interface Option<T> {
  readonly type: 'int' | 'number' | 'boolean' | 'choice' | 'string';
  readonly help: string;
  /** The default when neither a preset nor the user sets it. */
  readonly default: T;
  /** The valid range as help prints it: '≥ 1', '(0, 10]', 'adamw | lars'. */
  readonly range: string;
  readonly choices?: readonly string[];
  /** A JSON value (config file, checkpoint) → T; throws OptionError naming `name`. */
  parse(value: unknown, name: string): T;
  /** A command-line string → T. */
  fromString(text: string, name: string): T;
}

export type Schema = Record<string, Option<unknown>>;
export type ConfigOf<S extends Schema> = { -readonly [K in keyof S]: S[K] extends Option<infer T> ? T : never };

interface Bounds {
  /** Inclusive bounds. */
  min?: number;
  max?: number;
  /** Exclusive lower bound (lr > 0, τ > 0). */
  above?: number;
}

function rangeText(b: Bounds): string {
  const lo = b.above !== undefined ? `> ${b.above}` : b.min !== undefined ? `≥ ${b.min}` : '';
  const hi = b.max !== undefined ? `≤ ${b.max}` : '';
  return [lo, hi].filter(Boolean).join(' and ') || 'any';
}

function inBounds(v: number, b: Bounds): boolean {
  return (b.min === undefined || v >= b.min) && (b.max === undefined || v <= b.max) && (b.above === undefined || v > b.above);
}

const shown = (v: unknown) => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v) ?? String(v));
const bad = (name: string, v: unknown, range: string) => new OptionError(`${flagOf(name)} must be ${range}, got ${shown(v)}`);

function numeric<T extends number | undefined>(type: 'int' | 'number', help: string, def: T, b: Bounds): Option<T> {
  const what = type === 'int' ? 'an integer' : 'a finite number';
  const range = `${what} ${rangeText(b)}`.replace(/ any$/, '');
  const parse = (v: unknown, name: string): T => {
    if (v === undefined || v === null) {
      if (def === undefined) return undefined as T;
      throw bad(name, v, range);
    }
    if (typeof v !== 'number' || !Number.isFinite(v) || (type === 'int' && !Number.isSafeInteger(v)) || !inBounds(v, b)) throw bad(name, v, range);
    return v as T;
  };
  return {
    type, help, default: def, range: rangeText(b), parse,
    fromString: (s, name) => {
      const t = s.trim();
      const ok = type === 'int' ? /^[+-]?\d+$/.test(t) : /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t);
      const v = Number(t);
      if (!ok || !Number.isFinite(v) || (type === 'int' && !Number.isSafeInteger(v)) || !inBounds(v, b)) throw bad(name, s, range);
      return v as T;
    },
  };
}

/** An integer option; `default: undefined` makes it optional (absent = the task decides). */
export function int(help: string, def: number, bounds?: Bounds): Option<number>;
export function int(help: string, def: undefined, bounds?: Bounds): Option<number | undefined>;
export function int(help: string, def: number | undefined, bounds: Bounds = {}): Option<number | undefined> {
  return numeric('int', help, def, bounds);
}

/** A real-valued option. */
export function num(help: string, def: number, bounds: Bounds = {}): Option<number> {
  return numeric('number', help, def, bounds);
}

export function bool(help: string, def: boolean): Option<boolean> {
  const parse = (v: unknown, name: string): boolean => {
    if (typeof v !== 'boolean') throw bad(name, v, 'true or false');
    return v;
  };
  return {
    type: 'boolean', help, default: def, range: 'true | false', parse,
    fromString: (s, name) => {
      if (s === 'true' || s === '1' || s === 'yes') return true;
      if (s === 'false' || s === '0' || s === 'no') return false;
      throw bad(name, s, 'true or false');
    },
  };
}

/** One of a fixed set of strings. */
export function oneOf<const C extends readonly string[]>(help: string, choices: C, def: C[number]): Option<C[number]> {
  const range = choices.join(' | ');
  const parse = (v: unknown, name: string): C[number] => {
    if (typeof v !== 'string' || !choices.includes(v)) throw bad(name, v, `one of ${choices.join(', ')}`);
    return v;
  };
  return { type: 'choice', help, default: def, range, choices, parse, fromString: (s, name) => parse(s, name) };
}

/** A free-form string checked by `valid` (which returns an error text or null). */
export function text(help: string, def: string, range: string, valid: (s: string) => string | null = () => null): Option<string> {
  const parse = (v: unknown, name: string): string => {
    if (typeof v !== 'string') throw bad(name, v, range);
    const why = valid(v);
    if (why) throw new OptionError(`${flagOf(name)}: ${why}`);
    return v;
  };
  return { type: 'string', help, default: def, range, parse, fromString: (s, name) => parse(s, name) };
}

/** camelCase option → its flag: queueSize → --queue-size. */
export function flagOf(name: string): string {
  return `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** --queue-size → queueSize (undefined when it is no option of the schema). */
export function optionOfFlag(schema: Schema, flag: string): string | undefined {
  const name = flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  return Object.hasOwn(schema, name) ? name : undefined;
}

/** Every option's default. */
export function defaultsOf<S extends Schema>(schema: S): ConfigOf<S> {
  return parseOptions(schema, {}, 'defaults');
}

/**
 * Validates `values` against the schema: every key known, every value in range; missing keys take
 * their defaults. `source` names where the values came from in errors ('checkpoint run/…json').
 */
export function parseOptions<S extends Schema>(schema: S, values: Readonly<Record<string, unknown>>, source: string): ConfigOf<S> {
  for (const k of Object.keys(values)) {
    if (!Object.hasOwn(schema, k)) {
      throw new OptionError(`${source}: unknown option '${k}' (${flagOf(k)}); valid: ${Object.keys(schema).join(', ')}`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, opt] of Object.entries(schema)) {
    const v = Object.hasOwn(values, k) ? values[k] : opt.default;
    try {
      const parsed = opt.parse(v, k);
      if (parsed !== undefined) out[k] = parsed;
    } catch (e) {
      if (e instanceof OptionError && source !== 'flags') throw new OptionError(`${source}: ${e.message}`);
      throw e;
    }
  }
  return out as ConfigOf<S>;
}
