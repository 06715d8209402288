// Per-case decisions of the base-vs-head check, pure so they are unit-tested.
//
// decide(): the Mann-Whitney U test (Pinpoint's) says whether the two sets of timings differ,
// the ratio of medians says by how much; both must agree before a case is called slower or
// faster. A ratio inside the threshold is "same" whatever p says (a real 3% difference is not
// what the check is for); a ratio beyond it without significance is "unknown" (too noisy to
// tell yet): more samples may settle it.
//
// settle(): rounds. Every round runs base and head in fresh processes and decides on its own
// samples. Samples are not pooled across rounds: the machine's state shifts between rounds (base
// at 0.56 ms in one, 0.88 ms in the next, seen here under load), and a pooled median mixes
// those levels, while within a round the interleaved pairs meet the same state. "unknown" asks
// for another round; "slower" must come from two rounds (two sets of processes, so a slowdown
// that was one process's bad luck — memory or thread placement — does not fail a build) with
// none calling the case same or faster; "same" and "faster" end the case. A case still
// unsettled after the last round is reported "unknown" and does not fail the check.
import { median } from '../stats.js';
import { mannWhitneyU } from './mann-whitney.js';

export type Verdict = 'faster' | 'slower' | 'same' | 'unknown';

export interface DecideOptions {
  /** Relative change that matters: 0.1 calls head slower at ≥ 1.1× base (faster at ≤ 1/1.1). */
  threshold: number;
  /** Significance level of the rank test. */
  alpha: number;
  /** Fewer samples than this on either side: unknown. */
  minSamples: number;
}

export const DEFAULT_DECIDE: DecideOptions = { threshold: 0.1, alpha: 0.01, minSamples: 5 };

export interface Decision {
  verdict: Verdict;
  /** median(head) / median(base): above 1 head is slower. */
  ratio: number;
  /** Two-sided Mann-Whitney p-value. */
  p: number;
  base: number;
  head: number;
}

export function decide(base: readonly number[], head: readonly number[], opts: DecideOptions = DEFAULT_DECIDE): Decision {
  if (!(opts.threshold > 0 && opts.threshold < 10)) throw new RangeError(`threshold must be in (0, 10), got ${opts.threshold}`);
  if (!(opts.alpha > 0 && opts.alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${opts.alpha}`);
  const mb = median(base);
  const mh = median(head);
  if (mb == null || mh == null || base.length < opts.minSamples || head.length < opts.minSamples) {
    return { verdict: 'unknown', ratio: mb && mh ? mh / mb : Number.NaN, p: Number.NaN, base: mb ?? Number.NaN, head: mh ?? Number.NaN };
  }
  const ratio = mh / mb;
  const { p } = mannWhitneyU(head, base);
  const hi = 1 + opts.threshold;
  let verdict: Verdict;
  if (ratio < hi && ratio > 1 / hi) verdict = 'same';
  else if (p > opts.alpha) verdict = 'unknown';
  else verdict = ratio >= hi ? 'slower' : 'faster';
  return { verdict, ratio, p, base: mb, head: mh };
}

export interface CaseTrack {
  /** The decision on each round's own samples, in order. */
  rounds: readonly Pick<Decision, 'verdict'>[];
}

export interface Settled {
  done: boolean;
  verdict: Verdict;
  /** Why an unsettled case ended as unknown, or which rounds confirmed a slowdown. */
  note?: string;
}

/** What to do with a case after round `track.rounds.length` of at most `maxRounds`. */
export function settle(track: CaseTrack, maxRounds: number): Settled {
  const r = track.rounds;
  const last = r[r.length - 1];
  if (!last) return { done: false, verdict: 'unknown' };
  if (last.verdict === 'same' || last.verdict === 'faster') return { done: true, verdict: last.verdict };
  const slower = r.flatMap((d, i) => (d.verdict === 'slower' ? [i + 1] : []));
  if (last.verdict === 'slower' && slower.length >= 2) return { done: true, verdict: 'slower', note: `confirmed in rounds ${slower.join(', ')}` };
  if (r.length < maxRounds) return { done: false, verdict: last.verdict };
  const note = slower.length
    ? `slower in round ${slower.join(', ')} only; not confirmed within ${maxRounds} rounds`
    : `undecided after ${maxRounds} round${maxRounds > 1 ? 's' : ''} (ratio beyond the threshold, p > alpha)`;
  return { done: true, verdict: 'unknown', note };
}

/** Deterministic counters per run() of a case: compared exactly, no statistics. */
export type Counters = Record<string, number | null>;

export interface CounterChange {
  counter: string;
  base: number | null;
  head: number | null;
}

export interface CounterComparison {
  changed: CounterChange[];
  /** Counters one side does not report (an older @pretext/gpu) or that varied between two runs of one side. */
  notCompared: string[];
}

/**
 * Exact comparison of the counters both sides report. `unstable` lists counters that differed
 * between two runs on either side (nondeterministic there): those are listed, not compared.
 */
export function compareCounters(base: Counters, head: Counters, unstable: readonly string[] = []): CounterComparison {
  const out: CounterComparison = { changed: [], notCompared: [] };
  const keys = [...new Set([...Object.keys(base), ...Object.keys(head)])];
  for (const k of keys) {
    const b = base[k] ?? null;
    const h = head[k] ?? null;
    if (unstable.includes(k)) out.notCompared.push(`${k} (varies between runs)`);
    else if (b == null || h == null) out.notCompared.push(`${k} (${b == null ? 'base' : 'head'} does not report it)`);
    else if (b !== h) out.changed.push({ counter: k, base: b, head: h });
  }
  return out;
}
