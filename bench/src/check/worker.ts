// One side (base or head) of `pnpm bench check`, as a child process forked by sampler.ts and
// driven over IPC: load the cases of the checkout at --root, set one case up, answer "sample"
// requests, dispose it, next case. It imports nothing from the workspace statically: the bench
// harness, the cases and @pretext/gpu all come from --root, so the base side runs the base's own
// code while this file (from head) only drives it.
//
// A sample is one fresh measurement of a case already set up and warmed up in this process:
// the fastest of `reps` runs (other processes on a shared machine only ever add time, so the
// minimum is the least disturbed reading; the samples' spread is left to the rank test). Per-run times of a single process would share its start-up,
// compilation and allocation state; separate processes per sample would mostly time start-up
// (seconds of tsx, imports and Dawn against a kernel's milliseconds). The orchestrator starts
// fresh processes for every round instead, so a slowdown must show in two sets of processes.
//
// Clocks: a kernel case is timed by its GPU timestamps (the sum of its passes' durations: the
// kernel's own cost, free of host jitter — on lavapipe that is CPU time of the shader threads);
// a whole step ('train', 'infer') by the wall clock, run → submit → GPU idle (what a user waits
// for, host work included), on a device without the profiler's extra queries and readbacks.
import { pathToFileURL } from 'node:url';

interface Stats {
  [k: string]: number | undefined;
}
interface GpuLike {
  stats(): Stats;
  sync(): Promise<void>;
  submit(): void;
  destroy(): Promise<void>;
  device: { queue: { onSubmittedWorkDone(): Promise<void> } };
  profiler: { enabled: boolean; records: { start: number; end: number }[]; clear(): void };
  info?: { description?: string; vendor?: string; architecture?: string; device?: string; driver?: string };
}
interface Instance {
  run(): void | Promise<void>;
  check(): Promise<number>;
  tolerance: number;
  flops: number;
  bytes: number;
  dispose(): void;
}
interface CaseLike {
  name: string;
  kernel: string;
  setup(gpu: GpuLike, opts: { quick: boolean }): Promise<Instance>;
}

export type Clock = 'gpu' | 'wall';

/** Counters read from gpu.stats() around one run(); an older @pretext/gpu lacks some (null). */
export const COUNTERS = ['dispatches', 'submits', 'buffersCreated', 'bytesCreated', 'pipelinesCreated', 'declaredFlops', 'declaredBytes'] as const;

export type Request =
  | { op: 'load'; quick: boolean }
  | { op: 'setup'; name: string; warmup: number }
  | { op: 'sample'; reps: number }
  | { op: 'dispose' }
  | { op: 'exit' };

export interface Loaded {
  cases: { name: string; kernel: string }[];
  adapter: string;
  timestamps: boolean;
}

export interface SetUp {
  status: 'ok' | 'fail';
  message?: string;
  clock: Clock;
  /** One run's time after warm-up, ms (on `clock`): sizes the reps of a sample. */
  runMs: number;
  /** Counters of the first run() after setup (pipelines compiled, buffers allocated). */
  cold: Record<string, number | null>;
  /** Counters of one steady-state run(), and those that differed between two such runs. */
  steady: Record<string, number | null>;
  unstable: string[];
}

let quick = false;
const cases = new Map<string, CaseLike>();
const gpus = new Map<Clock, GpuLike>();
let current: { inst: Instance; gpu: GpuLike; clock: Clock } | null = null;
let Gpu: { create(o: { profile: boolean }): Promise<GpuLike> };

const root = (() => {
  const i = process.argv.indexOf('--root');
  if (i < 0 || !process.argv[i + 1]) throw new Error('worker: --root <checkout> is required');
  return process.argv[i + 1];
})();
const mod = (rel: string) => import(pathToFileURL(`${root}/${rel}`).href);

async function gpuFor(clock: Clock): Promise<GpuLike> {
  let g = gpus.get(clock);
  if (!g) {
    g = await Gpu.create({ profile: clock === 'gpu' });
    gpus.set(clock, g);
  }
  return g;
}

async function load(q: boolean): Promise<Loaded> {
  quick = q;
  const bench = await mod('bench/src/index.ts');
  const gpuPkg = await mod('packages/gpu/src/index.ts');
  if (typeof bench.loadCases !== 'function' || typeof bench.findBenchFiles !== 'function') {
    throw new Error(`${root}: bench/src/index.ts has no loadCases/findBenchFiles: this checkout predates the bench harness`);
  }
  Gpu = gpuPkg.Gpu;
  const loaded = [...(await bench.loadCases(bench.findBenchFiles())), ...(typeof bench.trainingCases === 'function' ? bench.trainingCases() : [])];
  for (const l of loaded as { case: CaseLike }[]) cases.set(l.case.name, l.case);
  const g = await gpuFor('gpu');
  const i = g.info ?? {};
  return { cases: [...cases.values()].map((c) => ({ name: c.name, kernel: c.kernel })), adapter: adapterName(i), timestamps: g.profiler.enabled };
}

function adapterName(i: NonNullable<GpuLike['info']>): string {
  const name = i.description || i.device || 'unknown adapter';
  return i.driver && !name.includes(i.driver) ? `${name} (${i.driver})` : name;
}

function counters(before: Stats, after: Stats): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const k of COUNTERS) out[k] = typeof before[k] === 'number' && typeof after[k] === 'number' ? (after[k] as number) - (before[k] as number) : null;
  return out;
}

/** One run() timed on `clock`, ms; the GPU is idle and its errors thrown when it returns. */
async function timedRun(inst: Instance, gpu: GpuLike, clock: Clock): Promise<number> {
  gpu.profiler.clear();
  const t0 = performance.now();
  await inst.run();
  gpu.submit();
  await gpu.device.queue.onSubmittedWorkDone();
  const wall = performance.now() - t0;
  await gpu.sync();
  if (clock === 'wall') return wall;
  let ns = 0;
  for (const r of gpu.profiler.records) ns += Math.max(0, r.end - r.start);
  gpu.profiler.clear();
  return ns / 1e6;
}

async function measured(inst: Instance, gpu: GpuLike): Promise<Record<string, number | null>> {
  const s0 = gpu.stats();
  await inst.run();
  await gpu.sync();
  return counters(s0, gpu.stats());
}

async function setup(name: string, warmup: number): Promise<SetUp> {
  const c = cases.get(name);
  if (!c) throw new Error(`no bench case named '${name}' in ${root}`);
  const clock: Clock = c.kernel === 'train' || c.kernel === 'infer' ? 'wall' : 'gpu';
  const effective: Clock = clock === 'gpu' && (await gpuFor('gpu')).profiler.enabled ? 'gpu' : 'wall';
  const gpu = await gpuFor(effective);
  const inst = await c.setup(gpu, { quick });
  current = { inst, gpu, clock: effective };
  const cold = await measured(inst, gpu);
  const err = await inst.check();
  const base = { clock: effective, runMs: Number.NaN, cold, steady: {}, unstable: [] };
  if (!(err <= inst.tolerance)) return { ...base, status: 'fail', message: `check() error ${err} > tolerance ${inst.tolerance}` };
  let runMs = Number.POSITIVE_INFINITY; // the fastest warm-up run: one run alone may have been preempted
  for (let i = 0; i < Math.max(2, warmup); i++) runMs = Math.min(runMs, await timedRun(inst, gpu, effective));
  const a = await measured(inst, gpu);
  const b = await measured(inst, gpu);
  const unstable = COUNTERS.filter((k) => a[k] !== b[k]);
  const steady = { ...a, 'case flops': inst.flops, 'case bytes': inst.bytes };
  return { status: 'ok', clock: effective, runMs, cold, steady, unstable };
}

async function sample(reps: number): Promise<number> {
  if (!current) throw new Error('sample before setup');
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < reps; i++) best = Math.min(best, await timedRun(current.inst, current.gpu, current.clock));
  return best;
}

function dispose(): void {
  const c = current;
  current = null;
  c?.inst.dispose();
}

async function handle(req: Request): Promise<unknown> {
  switch (req.op) {
    case 'load':
      return load(req.quick);
    case 'setup':
      dispose();
      return setup(req.name, req.warmup);
    case 'sample':
      return sample(req.reps);
    case 'dispose':
      dispose();
      return null;
    case 'exit':
      dispose();
      for (const g of gpus.values()) await g.destroy();
      // Dawn keeps the process alive while its objects live: exit explicitly, after the reply
      setTimeout(() => process.exit(0), 10);
      return null;
  }
}

if (!process.send) throw new Error('worker.ts runs as a child of the bench check (IPC channel), not by itself');
process.on('message', (msg: { id: number; req: Request }) => {
  handle(msg.req).then(
    (value) => process.send?.({ id: msg.id, ok: true, value }),
    (e: unknown) => process.send?.({ id: msg.id, ok: false, error: e instanceof Error ? e.message : String(e) }),
  );
});
