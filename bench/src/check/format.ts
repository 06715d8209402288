// What `pnpm bench check` records (JSON) and prints (Markdown fit for a pull-request comment).
import type { Clock } from './worker.js';
import type { CounterComparison, Decision, Verdict } from './verdict.js';

export interface CaseOutcome {
  name: string;
  clock: Clock;
  verdict: Verdict;
  /** The last round's decision, on that round's own samples (medians in ms). */
  ratio: number;
  p: number;
  base: { medianMs: number };
  head: { medianMs: number };
  /** Runs of the case per sample (each sample is the fastest of them). */
  reps: number;
  /** Every round's decision and samples (ms). */
  rounds: (Pick<Decision, 'verdict' | 'ratio' | 'p'> & { base: number[]; head: number[] })[];
  note?: string;
  counters: CounterComparison & { base: Record<string, number | null>; head: Record<string, number | null> };
}

export interface CheckReport {
  schema: 'pretext-bench-check/1';
  date: string;
  base: { ref: string; sha: string; adapter: string };
  head: { commit: string; adapter: string };
  options: { quick: boolean; only: string | null; samples: number; maxRounds: number; threshold: number; alpha: number; headEnv: Record<string, string> };
  /** 1-minute load average at the start and the end. */
  load: [number, number];
  seconds: number;
  cases: CaseOutcome[];
  notCompared: { name: string; reason: string }[];
  /** pass: every selected case compared, none slower; slower: a confirmed slowdown; incomplete: none slower, but some not compared or undecided. */
  outcome: 'pass' | 'slower' | 'incomplete';
}

export function outcomeOf(cases: readonly Pick<CaseOutcome, 'verdict'>[], notCompared: readonly unknown[]): CheckReport['outcome'] {
  if (cases.some((c) => c.verdict === 'slower')) return 'slower';
  if (notCompared.length || cases.some((c) => c.verdict === 'unknown') || cases.length === 0) return 'incomplete';
  return 'pass';
}

/** 0 unless a slowdown was confirmed. */
export const exitCodeOf = (r: Pick<CheckReport, 'outcome'>): number => (r.outcome === 'slower' ? 1 : 0);

const ms = (x: number) => (!Number.isFinite(x) ? '—' : x >= 100 ? `${x.toFixed(1)} ms` : x >= 1 ? `${x.toFixed(2)} ms` : `${(x * 1000).toFixed(1)} µs`);
const pv = (p: number) => (!Number.isFinite(p) ? '—' : p < 1e-3 ? p.toExponential(1) : p.toFixed(4));
const num = (x: number | null) => (x == null ? '—' : Number.isInteger(x) ? x.toLocaleString('en-US') : x.toPrecision(6));
const cell = (s: string) => s.replace(/\|/g, '\\|');
const MARK: Record<Verdict, string> = { slower: '🔴 slower', faster: '🟢 faster', same: 'same', unknown: '⚪ unknown' };

export function formatCheckMarkdown(r: CheckReport): string {
  const head = r.head.commit.slice(0, 10) + (r.head.commit.endsWith('-dirty') ? ' (uncommitted changes)' : '');
  const lines = [
    `### Bench check: head ${head} against base ${r.base.ref} (${r.base.sha.slice(0, 10)})`,
    '',
    `${r.base.adapter}; ${r.options.quick ? 'quick sizes; ' : ''}${r.options.samples} samples per side per round, interleaved; slower/faster: |ratio − 1| ≥ ${(100 * r.options.threshold).toFixed(0)}% and Mann-Whitney p ≤ ${r.options.alpha}; a slowdown counts once two rounds, each in fresh processes and decided on its own samples, call it slower. Load ${r.load[0].toFixed(1)} → ${r.load[1].toFixed(1)}, ${r.seconds.toFixed(0)} s.`,
    '',
    '| case | base | head | ratio | p | verdict | clock, rounds |',
    '|---|---:|---:|---:|---:|---|---|',
    ...r.cases.map(
      (c) =>
        `| ${cell(c.name)} | ${ms(c.base.medianMs)} | ${ms(c.head.medianMs)} | ${Number.isFinite(c.ratio) ? `${c.ratio.toFixed(3)}×` : '—'} | ${pv(c.p)} | ${MARK[c.verdict]}${c.note ? ` (${cell(c.note)})` : ''} | ${c.clock}, ${c.rounds.length} |`,
    ),
  ];
  const changed = r.cases.flatMap((c) => c.counters.changed.map((x) => ({ name: c.name, ...x })));
  if (changed.length) {
    lines.push('', '**Counters that changed** (per run, exact; reported whatever the times say):', '', '| case | counter | base | head |', '|---|---|---:|---:|');
    for (const x of changed) lines.push(`| ${cell(x.name)} | ${x.counter} | ${num(x.base)} | ${num(x.head)} |`);
  }
  const partial = r.cases.filter((c) => c.counters.notCompared.length);
  if (partial.length) lines.push('', `Counters not compared: ${partial.map((c) => `${c.name}: ${c.counters.notCompared.join(', ')}`).join('; ')}.`);
  if (r.notCompared.length) {
    lines.push('', `**Not compared** (${r.notCompared.length}):`, '', ...r.notCompared.map((n) => `- ${n.name}: ${n.reason}`));
  }
  const slower = r.cases.filter((c) => c.verdict === 'slower').length;
  const unknown = r.cases.filter((c) => c.verdict === 'unknown').length;
  const verdictLine = {
    pass: `**PASS**: ${r.cases.length} case${r.cases.length === 1 ? '' : 's'} compared, no slowdown.`,
    slower: `**SLOWER**: ${slower} confirmed slowdown${slower === 1 ? '' : 's'} of ${r.cases.length} compared.`,
    incomplete: `**INCOMPLETE**: no confirmed slowdown in ${r.cases.length} compared case${r.cases.length === 1 ? '' : 's'}, but ${[r.notCompared.length ? `${r.notCompared.length} not compared` : '', unknown ? `${unknown} undecided` : '', r.cases.length ? '' : 'nothing compared'].filter(Boolean).join(' and ')}.`,
  }[r.outcome];
  lines.push('', verdictLine);
  return `${lines.join('\n')}\n`;
}
