// Picking a kernel variant by measurement (what Burn's wgpu backend does for matmul): where a
// launcher chooses among variants (conv2d direct / GEMM / Winograd, matmul subgroup or tiled) by
// thresholds measured on one adapter, the tuner times the candidates once per adapter and shape
// class and keeps the winner in a JSON file (default ~/.cache/pretext/tune-<adapter>.json).
//
// Opt-in (GpuOptions.autotune, env PRETEXT_AUTOTUNE=1). A launch cannot wait for the GPU, so the
// first launch of a shape class takes the launcher's threshold choice (the fallback) and starts
// the timing in the background on inputs of its own; later launches take the measured choice.
// `await gpu.tuner.idle()` waits for the timings started so far. Tuning off (tests, the default),
// every launch takes the fallback.

/** One way to run the op, set up on fresh inputs of the shape class. */
export interface TuneCandidate {
  name: string;
  /** Allocates inputs and returns one launch (recorded, not waited for) and the cleanup. */
  prepare(): { run(): void; dispose(): void };
}

export interface TuneEntry {
  choice: string;
  /** Best wall time per candidate, ms (launch → GPU done); Infinity when it failed. */
  ms: Record<string, number>;
  date: string;
}

interface TuneFile {
  schema: 1;
  adapter: string;
  entries: Record<string, TuneEntry>;
}

export interface AutotunerOptions {
  enabled: boolean;
  /** The adapter's name as the cache file knows it. */
  adapter: string;
  /** Cache file; default $PRETEXT_TUNE_CACHE, else $XDG_CACHE_HOME or ~/.cache, pretext/tune-<adapter>.json. */
  path?: string;
  /** Timed runs per candidate after one warm-up (the best counts). Default 3. */
  reps?: number;
  warn?: (message: string) => void;
}

/** What the tuner needs of the device: wait for the GPU; whether it is gone. */
export interface TuneDevice {
  sync(): Promise<void>;
  readonly lost: string | null;
}

type NodeFs = typeof import('node:fs');
type NodePath = typeof import('node:path');
type NodeOs = typeof import('node:os');

/** Node's fs, path and os without a static import (browser bundles), or null outside Node. */
function nodeModules(): { fs: NodeFs; path: NodePath; os: NodeOs } | null {
  const p = typeof process !== 'undefined' ? (process as { getBuiltinModule?: (id: string) => unknown }) : undefined;
  if (!p?.getBuiltinModule) return null;
  return { fs: p.getBuiltinModule('node:fs') as NodeFs, path: p.getBuiltinModule('node:path') as NodePath, os: p.getBuiltinModule('node:os') as NodeOs };
}

/** The default cache file for an adapter name. */
export function tuneCachePath(adapter: string): string | null {
  const node = nodeModules();
  if (!node) return null;
  const env = process.env;
  if (env.PRETEXT_TUNE_CACHE) return env.PRETEXT_TUNE_CACHE;
  const slug = adapter.toLowerCase().replace(/[^a-z0-9.]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'adapter';
  const base = env.XDG_CACHE_HOME || node.path.join(node.os.homedir(), '.cache');
  return node.path.join(base, 'pretext', `tune-${slug}.json`);
}

export class Autotuner {
  readonly enabled: boolean;
  readonly path: string | null;
  private entries: Record<string, TuneEntry> | null = null;
  private readonly running = new Map<string, Promise<void>>();
  private queue: Promise<void> = Promise.resolve();
  private cancelled = false;
  private readonly reps: number;
  private readonly warn: (message: string) => void;

  constructor(
    private readonly device: TuneDevice,
    private readonly opts: AutotunerOptions,
  ) {
    this.enabled = opts.enabled;
    this.path = opts.path ?? tuneCachePath(opts.adapter);
    this.reps = Math.max(1, opts.reps ?? 3);
    this.warn = opts.warn ?? ((m) => console.warn(m));
  }

  /**
   * The variant to run for `key` (op and shape class, e.g. 'matmul.nn:M256:N256:K256'): the tuned
   * choice when there is one among `candidates`; else `fallback`, starting a timing when tuning
   * is on. `candidates` is called only to time them.
   */
  pick(key: string, names: readonly string[], fallback: string, candidates: () => TuneCandidate[]): string {
    if (!this.enabled || names.length < 2) return fallback;
    const hit = this.load()[key];
    if (hit && names.includes(hit.choice)) return hit.choice;
    if (!this.running.has(key)) {
      const job = (this.queue = this.queue.then(async () => { await this.tuneNow(key, candidates()); }).catch((e) => {
        if (!this.cancelled) this.warn(`autotune ${key}: ${(e as Error).message}; keeping the default`);
      }));
      this.running.set(key, job);
    }
    return fallback;
  }

  /** The cached entry for `key`, if any. */
  entry(key: string): TuneEntry | undefined {
    return this.load()[key];
  }

  /** Resolves when every timing started so far has finished and been written. */
  async idle(): Promise<void> {
    await this.queue;
  }

  /** Stops timings still queued (the device is going away). */
  cancel(): void {
    this.cancelled = true;
  }

  /** Times each candidate (one warm-up, then the best of `reps`), records and saves the fastest. */
  async tuneNow(key: string, candidates: TuneCandidate[]): Promise<TuneEntry> {
    const ms: Record<string, number> = {};
    for (const c of candidates) {
      if (this.cancelled || this.device.lost) throw new Error('the device is gone');
      let prepared: ReturnType<TuneCandidate['prepare']> | undefined;
      try {
        prepared = c.prepare();
        prepared.run();
        await this.device.sync(); // warm-up: pipeline creation and JIT stay out of the timing
        let best = Number.POSITIVE_INFINITY;
        for (let r = 0; r < this.reps; r++) {
          const t0 = performance.now();
          prepared.run();
          await this.device.sync();
          best = Math.min(best, performance.now() - t0);
        }
        ms[c.name] = best;
      } catch (e) {
        ms[c.name] = Number.POSITIVE_INFINITY;
        this.warn(`autotune ${key}: candidate '${c.name}' failed (${(e as Error).message}); skipped`);
      } finally {
        prepared?.dispose();
      }
    }
    const ranked = Object.entries(ms).filter(([, t]) => Number.isFinite(t)).sort((a, b) => a[1] - b[1]);
    if (!ranked.length) throw new Error('every candidate failed');
    const entry: TuneEntry = { choice: ranked[0][0], ms, date: new Date().toISOString() };
    this.load()[key] = entry;
    this.save();
    return entry;
  }

  /** The cache, read once; a file that is not a tune cache is ignored with a warning (and replaced on the next save). */
  private load(): Record<string, TuneEntry> {
    if (this.entries) return this.entries;
    this.entries = {};
    const node = nodeModules();
    if (!node || !this.path || !node.fs.existsSync(this.path)) return this.entries;
    try {
      const f = JSON.parse(node.fs.readFileSync(this.path, 'utf8')) as TuneFile;
      const valid = f?.schema === 1 && f.entries && typeof f.entries === 'object' &&
        Object.values(f.entries).every((e) => typeof e?.choice === 'string' && e.ms && typeof e.ms === 'object');
      if (!valid) throw new Error('not a schema-1 tune cache');
      this.entries = f.entries;
    } catch (e) {
      this.warn(`autotune: ignoring the cache ${this.path} (${(e as Error).message}); it will be rewritten`);
    }
    return this.entries;
  }

  /** Writes the cache atomically (a temp file renamed over it). */
  private save(): void {
    const node = nodeModules();
    if (!node || !this.path) return;
    try {
      node.fs.mkdirSync(node.path.dirname(this.path), { recursive: true });
      const file: TuneFile = { schema: 1, adapter: this.opts.adapter, entries: this.load() };
      const tmp = `${this.path}.${process.pid}.tmp`;
      node.fs.writeFileSync(tmp, `${JSON.stringify(file, (_, v) => (v === Number.POSITIVE_INFINITY ? null : v), 2)}\n`);
      node.fs.renameSync(tmp, this.path);
    } catch (e) {
      this.warn(`autotune: could not write ${this.path} (${(e as Error).message}); choices last this process only`);
    }
  }
}

/** A shape class: each size rounded up to a power of two, so nearby shapes share a timing. */
export function sizeBucket(n: number): number {
  return n <= 1 ? 1 : 2 ** Math.ceil(Math.log2(n));
}
