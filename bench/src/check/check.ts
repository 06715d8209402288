// `pnpm bench:check --base <ref>` (also `pnpm bench check …`, `pretext bench check …`): is head
// slower than base? Builds base in a temporary worktree (base.ts), then per round starts one
// worker process per side (sampler.ts → worker.ts) and, case by case, takes samples from base
// and head interleaved — A B B A A B … so that load drifting during the round falls on both
// sides alike — and decides per case (verdict.ts). Unsettled cases get further rounds in fresh
// processes. Prints a Markdown table, writes JSON; exit 1 only on a confirmed slowdown.
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { BenchCase } from '../case.js';
import { selectCases } from '../discover.js';
import { gitCommit } from '../run.js';
import { median } from '../stats.js';
import { BaseError, prepareBase, resolveRef } from './base.js';
import { type CaseOutcome, type CheckReport, exitCodeOf, formatCheckMarkdown, outcomeOf } from './format.js';
import { Sampler } from './sampler.js';
import { compareCounters, DEFAULT_DECIDE, type DecideOptions, decide, settle } from './verdict.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * `--fast` (CI): a handful of kernels at the quick sizes — a GEMM, a masked softmax, a layer norm,
 * a convolution forward+backward, the fused InfoNCE — and one SimCLR training step (N = 32).
 */
export const FAST_CASES = [
  'matmul 1024x1024x1024',
  'softmax masked 4096x4096 forward',
  'layernorm fwd 8192x256',
  'conv2d fwd+bwd 3x3 32->64 @14x14 batch 64',
  'infonce ntxent fwd+bwd 2N=4096 D=128',
  'train simclr convnet step N=256x2 28x28',
];

const USAGE = `pnpm bench:check --base <git ref> [options]      (also: pnpm bench check …, pretext bench check …)
  --base <ref>         what head (this checkout, uncommitted changes included) is compared with
  --only <pattern>     cases whose name matches (as pnpm bench --only); default every kernel case
  --fast               the CI set: ${FAST_CASES.length} cases at --quick sizes (implies --quick)
  --quick              small sizes
  --samples <n>        samples per side per round (default 10, at least 5)
  --rounds <n>         at most this many rounds: undecided cases are rerun (default 4)
  --threshold <x>      relative change that matters (default 0.1: 10%)
  --alpha <p>          significance of the Mann-Whitney U test (default 0.01)
  --sample-ms <ms>     each sample is the median of enough runs to take about this long (default 100)
  --json <file>        where to write the JSON (default bench/results/check.tmp.json)
  --md <file>          also write the Markdown table there (e.g. for a PR comment)
  --keep-base          keep the base checkout in the temp dir and reuse it next time
  --no-build           install and codegen base but skip its turbo build (the bench runs the
                       sources through tsx; the build only proves base builds)
  --budget <s>         start no rerun round past this many seconds from the start (CI)
  --head-env K=V       set K=V for head's processes only (proofs: a slowdown switch)
exit: 0 no confirmed slowdown (the table says PASS or INCOMPLETE), 1 confirmed slowdown,
      2 bad usage or a harness failure, 3 base unusable (unknown ref, shallow clone, does not build)`;

interface Named {
  name: string;
  kernel: string;
}

/**
 * Which cases to compare: those `only` selects (pnpm bench's rule: training steps only when
 * named; never the ceilings, which measure the machine, not the code) that exist on both sides,
 * and the selected ones present on one side only.
 */
export function pairCases(base: readonly Named[], head: readonly Named[], only: string | undefined) {
  const pick = (l: readonly Named[]) =>
    selectCases(l.map((c) => ({ case: c as BenchCase, file: '' })), only)
      .map((c) => c.case.name)
      .filter((n) => l.find((c) => c.name === n)?.kernel !== 'ceiling');
  const b = pick(base);
  const h = pick(head);
  return {
    both: h.filter((n) => b.includes(n)),
    notCompared: [
      ...b.filter((n) => !h.includes(n)).map((name) => ({ name, reason: 'only in base (removed or renamed in head)' })),
      ...h.filter((n) => !b.includes(n)).map((name) => ({ name, reason: 'only in head (new, or renamed)' })),
    ],
  };
}

/** A regex that matches exactly these case names. */
export const exactly = (names: readonly string[]) => `/^(${names.map((n) => n.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})$/`;

interface Options extends DecideOptions {
  base: string;
  only: string | undefined;
  quick: boolean;
  samples: number;
  rounds: number;
  sampleMs: number;
  json: string;
  md: string | undefined;
  keepBase: boolean;
  build: boolean;
  budgetS: number;
  headEnv: Record<string, string>;
}

function parse(args: string[]): Options | null {
  const { values: a } = parseArgs({
    args,
    options: {
      base: { type: 'string' },
      only: { type: 'string' },
      fast: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      samples: { type: 'string', default: '10' },
      rounds: { type: 'string', default: '4' },
      threshold: { type: 'string', default: '0.1' },
      alpha: { type: 'string', default: '0.01' },
      'sample-ms': { type: 'string', default: '100' },
      json: { type: 'string' },
      md: { type: 'string' },
      'keep-base': { type: 'boolean', default: false },
      'no-build': { type: 'boolean', default: false },
      budget: { type: 'string' },
      'head-env': { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (a.help) return null;
  if (!a.base) throw new UsageError('--base <git ref> is required (e.g. --base HEAD~1 or --base main)');
  const int = (v: string, name: string, min: number) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got '${v}'`);
    return n;
  };
  const real = (v: string, name: string, lo: number, hi: number) => {
    const n = Number(v);
    if (!(n > lo && n < hi)) throw new UsageError(`--${name} must be in (${lo}, ${hi}), got '${v}'`);
    return n;
  };
  if (a.fast && a.only) throw new UsageError('--fast picks its own cases; drop --only (or drop --fast and pass --quick)');
  const headEnv: Record<string, string> = {};
  for (const kv of a['head-env']) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(kv);
    if (!m) throw new UsageError(`--head-env takes NAME=value, got '${kv}'`);
    headEnv[m[1]] = m[2];
  }
  return {
    base: a.base,
    only: a.fast ? exactly(FAST_CASES) : a.only,
    quick: a.fast || a.quick,
    samples: int(a.samples, 'samples', DEFAULT_DECIDE.minSamples),
    rounds: int(a.rounds, 'rounds', 1),
    threshold: real(a.threshold, 'threshold', 0, 10),
    alpha: real(a.alpha, 'alpha', 0, 1),
    minSamples: DEFAULT_DECIDE.minSamples,
    sampleMs: real(a['sample-ms'], 'sample-ms', 0, 60_000),
    json: resolve(a.json ?? `${REPO}/bench/results/check.tmp.json`),
    md: a.md ? resolve(a.md) : undefined,
    keepBase: a['keep-base'],
    build: !a['no-build'],
    budgetS: a.budget == null ? Number.POSITIVE_INFINITY : real(a.budget, 'budget', 0, 1e6),
    headEnv,
  };
}

export class UsageError extends Error {
  override name = 'UsageError';
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
const log = (l: string) => console.error(`[bench check] ${l}`);

/** Runs the check; resolves to the exit code. */
export async function runCheck(args: string[]): Promise<number> {
  let o: Options | null;
  try {
    o = parse(args);
  } catch (e) {
    console.error(`${message(e)}\n\n${USAGE}`);
    return 2;
  }
  if (!o) {
    console.log(USAGE);
    return 0;
  }
  const t0 = Date.now();
  const load0 = loadavg()[0];
  let base: ReturnType<typeof prepareBase>;
  try {
    const sha = resolveRef(REPO, o.base);
    log(`base ${o.base} = ${sha.slice(0, 10)}; preparing its checkout`);
    base = prepareBase(REPO, sha, { keep: o.keepBase, build: o.build, log });
  } catch (e) {
    if (e instanceof BaseError) {
      console.error(`bench check: ${e.message}`);
      return 3;
    }
    throw e;
  }
  try {
    return await compare(o, base.dir, base.sha, t0, load0);
  } catch (e) {
    if (e instanceof BaseError) {
      console.error(`bench check: ${e.message}`);
      return 3;
    }
    throw e;
  } finally {
    base.cleanup();
  }
}

interface Sides {
  base: Sampler;
  head: Sampler;
}

async function start(o: Options, baseDir: string, sha: string, round: number): Promise<Sides & { adapter: [string, string]; cases: [Named[], Named[]] }> {
  // both sides on one CPU, the last one in round 1, the one before in round 2, …: whatever else
  // runs on it slows both alike (sampler.ts)
  const cpus = availableParallelism();
  const cpu = cpus - 1 - ((round - 1) % cpus);
  const s = { base: new Sampler({ side: 'base', root: baseDir, cpu }), head: new Sampler({ side: 'head', root: REPO, env: o.headEnv, cpu }) };
  const [b, h] = await Promise.allSettled([s.base.load(o.quick), s.head.load(o.quick)]);
  if (b.status === 'rejected' || h.status === 'rejected') {
    await Promise.all([s.base.close(), s.head.close()]);
    if (b.status === 'rejected') throw new BaseError(`base ${sha.slice(0, 10)} cannot load its bench cases: ${message(b.reason)}`);
    throw new Error(`head cannot load its bench cases: ${message((h as PromiseRejectedResult).reason)}`);
  }
  return { ...s, adapter: [b.value.adapter, h.value.adapter], cases: [b.value.cases, h.value.cases] };
}

interface Track {
  name: string;
  clock: CaseOutcome['clock'];
  reps: number;
  rounds: CaseOutcome['rounds'];
  counters: CaseOutcome['counters'];
  done?: { verdict: CaseOutcome['verdict']; note?: string };
}

async function compare(o: Options, baseDir: string, sha: string, t0: number, load0: number): Promise<number> {
  const tracks = new Map<string, Track>();
  const notCompared: CheckReport['notCompared'] = [];
  let adapter = '';
  let pending: string[] = [];
  let roundS = 0;
  for (let round = 1; round <= o.rounds; round++) {
    const elapsed = (Date.now() - t0) / 1000;
    if (round > 1 && elapsed + roundS > o.budgetS) {
      log(`no round ${round}: ${elapsed.toFixed(0)} s gone, the last round took ${roundS.toFixed(0)} s, --budget is ${o.budgetS} s`);
      for (const n of pending) {
        const t = tracks.get(n);
        if (t) t.done = { verdict: 'unknown', note: `undecided when the ${o.budgetS} s budget ran out after ${round - 1} round${round > 2 ? 's' : ''}` };
      }
      break;
    }
    const roundStart = Date.now();
    let s = await start(o, baseDir, sha, round);
    try {
      if (round === 1) {
        if (s.adapter[0] !== s.adapter[1]) throw new Error(`base and head see different adapters (${s.adapter[0]} / ${s.adapter[1]})`);
        adapter = s.adapter[0];
        const pair = pairCases(s.cases[0], s.cases[1], o.only);
        notCompared.push(...pair.notCompared);
        pending = pair.both;
        if (!pending.length && !notCompared.length) throw new UsageError(`no bench case matches --only '${o.only}'`);
        log(`${pending.length} cases on ${adapter}${notCompared.length ? `; ${notCompared.length} on one side only` : ''}`);
      }
      for (const name of pending) {
        log(`round ${round}: ${name}`);
        if (!s.base.alive || !s.head.alive) {
          // a worker crashed or hung on the previous case: fresh ones for the rest
          await Promise.all([s.base.close(), s.head.close()]);
          s = await start(o, baseDir, sha, round);
        }
        let t: Track;
        try {
          t = await measure(o, s, name, tracks);
        } catch (e) {
          notCompared.push({ name, reason: message(e) });
          tracks.delete(name);
          continue;
        }
        const st = settle(t, o.rounds);
        const d = t.rounds[t.rounds.length - 1];
        log(`  ${d.verdict}: ratio ${d.ratio.toFixed(3)}, p ${d.p.toPrecision(2)}${st.done ? ` — ${st.verdict}${st.note ? ` (${st.note})` : ''}` : ''}`);
        if (st.done) t.done = { verdict: st.verdict, ...(st.note ? { note: st.note } : {}) };
      }
    } finally {
      await Promise.all([s.base.close(), s.head.close()]);
    }
    roundS = (Date.now() - roundStart) / 1000;
    pending = pending.filter((n) => tracks.has(n) && !tracks.get(n)?.done);
    if (!pending.length) break;
  }
  const cases: CaseOutcome[] = [...tracks.values()].map((t) => {
    const d = t.rounds[t.rounds.length - 1];
    return {
      name: t.name,
      clock: t.clock,
      verdict: t.done?.verdict ?? 'unknown',
      ratio: d.ratio,
      p: d.p,
      base: { medianMs: median(d.base) ?? Number.NaN },
      head: { medianMs: median(d.head) ?? Number.NaN },
      reps: t.reps,
      rounds: t.rounds,
      ...(t.done?.note ? { note: t.done.note } : {}),
      counters: t.counters,
    };
  });
  const report: CheckReport = {
    schema: 'pretext-bench-check/1',
    date: new Date().toISOString(),
    base: { ref: o.base, sha, adapter },
    head: { commit: gitCommit(REPO), adapter },
    options: { quick: o.quick, only: o.only ?? null, samples: o.samples, maxRounds: o.rounds, threshold: o.threshold, alpha: o.alpha, headEnv: o.headEnv },
    load: [load0, loadavg()[0]],
    seconds: (Date.now() - t0) / 1000,
    cases,
    notCompared,
    outcome: outcomeOf(cases, notCompared),
  };
  const md = formatCheckMarkdown(report);
  console.log(md);
  mkdirSync(dirname(o.json), { recursive: true });
  writeFileSync(o.json, `${JSON.stringify(report, null, 2)}\n`);
  if (o.md) writeFileSync(o.md, md);
  log(`wrote ${o.json}${o.md ? ` and ${o.md}` : ''}`);
  return exitCodeOf(report);
}

/** One round of one case: set up on both sides, `samples` interleaved pairs of samples, the round's decision. */
async function measure(o: Options, s: Sides, name: string, tracks: Map<string, Track>): Promise<Track> {
  const sb = await s.base.setup(name, 2);
  const sh = await s.head.setup(name, 2);
  try {
    if (sb.status !== 'ok') throw new Error(`base's check() fails: ${sb.message}`);
    if (sh.status !== 'ok') throw new Error(`head's check() fails: ${sh.message}`);
    if (sb.clock !== sh.clock) throw new Error(`the sides time it on different clocks (base ${sb.clock}, head ${sh.clock})`);
    let t = tracks.get(name);
    if (!t) {
      // reps: enough runs that a sample takes ~sampleMs, the same count on both sides, fixed for the case
      const reps = Math.min(200, Math.max(3, Math.ceil(o.sampleMs / Math.max(sb.runMs, sh.runMs, 1e-3))));
      const unstable = [...new Set([...sb.unstable, ...sh.unstable])];
      const counters = compareCounters(sb.steady, sh.steady, unstable);
      const cold = compareCounters(sb.cold, sh.cold, unstable);
      counters.changed.push(...cold.changed.map((c) => ({ ...c, counter: `${c.counter} (first run)` })));
      t = { name, clock: sb.clock, reps, rounds: [], counters: { ...counters, base: sb.steady, head: sh.steady } };
      tracks.set(name, t);
    }
    const base: number[] = [];
    const head: number[] = [];
    for (let i = 0; i < o.samples; i++) {
      // A B, then B A: a linear drift in load adds the same to both sides over each pair of pairs
      if (i % 2 === 0) {
        base.push(await s.base.sample(t.reps));
        head.push(await s.head.sample(t.reps));
      } else {
        head.push(await s.head.sample(t.reps));
        base.push(await s.base.sample(t.reps));
      }
    }
    const d = decide(base, head, o);
    t.rounds.push({ verdict: d.verdict, ratio: d.ratio, p: d.p, base, head });
    return t;
  } finally {
    await Promise.allSettled([s.base.dispose(), s.head.dispose()]);
  }
}
