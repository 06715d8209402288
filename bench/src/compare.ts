// The CI regression check: this run's *ratios* (us vs the peer, fraction of the ceilings)
// against a stored baseline. Absolute times are meaningless on shared, noisy machines;
// ratios measured in the same run cancel most of the noise. Pure, so it is unit-tested.
import type { BenchReport, CaseResult } from './report.js';

export interface Change {
  case: string;
  metric: string;
  baseline: number;
  current: number;
  /** current / baseline − 1 */
  change: number;
}

export interface Comparison {
  /** Metrics that dropped by more than the tolerance, and cases whose check now fails. */
  regressions: Change[];
  improvements: Change[];
  /** Baseline cases absent from this run (not a failure: --only may have filtered them). */
  missing: string[];
  compared: number;
  ok: boolean;
}

/** Higher is better for all of them. */
export function ratioMetrics(c: CaseResult): Record<string, number | null> {
  if (c.kernel === 'ceiling') return {}; // a ceiling is 100% of itself
  return { '×peer gpu': c.ratioGpu, '×peer wall': c.ratioWall, '%FMA': c.fmaFraction, '%copy': c.copyFraction };
}

/**
 * A metric regresses when current < baseline · (1 − tolerance); tolerance 0.5 allows a 50% drop.
 * A case that passed its check in the baseline and fails or errors now is always a regression.
 */
export function compareReports(
  current: Pick<BenchReport, 'cases'>,
  baseline: Pick<BenchReport, 'cases'>,
  tolerance = 0.5,
): Comparison {
  if (!(tolerance >= 0 && tolerance < 1)) throw new RangeError(`tolerance must be in [0, 1), got ${tolerance}`);
  const now = new Map(current.cases.map((c) => [c.name, c]));
  const out: Comparison = { regressions: [], improvements: [], missing: [], compared: 0, ok: true };
  for (const base of baseline.cases) {
    const cur = now.get(base.name);
    if (!cur) {
      out.missing.push(base.name);
      continue;
    }
    if (base.status === 'ok' && cur.status !== 'ok') {
      out.regressions.push({ case: base.name, metric: `check (${cur.status})`, baseline: 1, current: 0, change: -1 });
      continue;
    }
    const bm = ratioMetrics(base);
    const cm = ratioMetrics(cur);
    for (const [metric, b] of Object.entries(bm)) {
      const c = cm[metric];
      if (b == null || c == null || !(b > 0) || !Number.isFinite(c)) continue;
      out.compared++;
      const change = c / b - 1;
      const row = { case: base.name, metric, baseline: b, current: c, change };
      if (c < b * (1 - tolerance)) out.regressions.push(row);
      else if (c > b * (1 + tolerance)) out.improvements.push(row);
    }
  }
  out.ok = out.regressions.length === 0;
  return out;
}

export function formatComparison(cmp: Comparison, tolerance: number): string {
  const line = (c: Change) =>
    `  ${c.case} — ${c.metric}: ${c.baseline.toFixed(3)} → ${c.current.toFixed(3)} (${c.change >= 0 ? '+' : ''}${(100 * c.change).toFixed(0)}%)`;
  return [
    `regression check (tolerance ${(100 * tolerance).toFixed(0)}%): ${cmp.compared} ratios compared, ${cmp.regressions.length} regressed, ${cmp.improvements.length} improved`,
    ...(cmp.regressions.length ? ['regressions:', ...cmp.regressions.map(line)] : []),
    ...(cmp.improvements.length ? ['improvements:', ...cmp.improvements.map(line)] : []),
    ...(cmp.missing.length ? [`not in this run: ${cmp.missing.join(', ')}`] : []),
    cmp.ok ? 'OK' : 'REGRESSION',
  ].join('\n');
}
