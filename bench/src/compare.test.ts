import { describe, expect, it } from 'vitest';
import { compareReports, formatComparison } from './compare.js';
import type { CaseResult } from './report.js';

const row = (name: string, o: Partial<CaseResult> = {}): CaseResult => ({
  name,
  kernel: 'k',
  status: 'ok',
  error: 0,
  tolerance: 1e-5,
  flops: 1,
  bytes: 1,
  reps: 3,
  gpuMs: 1,
  gpuMinMs: 1,
  wallMs: 1,
  wallRme: 1,
  gflops: 1,
  gbps: 1,
  fmaFraction: 0.5,
  copyFraction: 0.5,
  ratioGpu: 2,
  ratioWall: 1.5,
  ...o,
});

describe('compareReports', () => {
  it('passes when every ratio is within the tolerance, even if absolute times changed', () => {
    const base = { cases: [row('a'), row('b')] };
    const cur = { cases: [row('a', { gpuMs: 10, wallMs: 12, ratioGpu: 1.6 }), row('b', { fmaFraction: 0.4, copyFraction: 0.7 })] };
    const cmp = compareReports(cur, base, 0.25);
    expect(cmp.ok).toBe(true);
    expect(cmp.regressions).toEqual([]);
    expect(cmp.compared).toBe(8);
    expect(cmp.improvements.map((c) => `${c.case} ${c.metric}`)).toEqual(['b %copy']);
  });

  it('flags a ratio that dropped beyond the tolerance', () => {
    const cmp = compareReports({ cases: [row('a', { ratioGpu: 1.4 })] }, { cases: [row('a')] }, 0.25);
    expect(cmp.ok).toBe(false);
    expect(cmp.regressions).toHaveLength(1);
    expect(cmp.regressions[0]).toMatchObject({ case: 'a', metric: '×peer gpu', baseline: 2, current: 1.4 });
    expect(cmp.regressions[0].change).toBeCloseTo(-0.3);
    expect(formatComparison(cmp, 0.25)).toMatch(/REGRESSION/);
  });

  it('treats a case that now fails its check as a regression', () => {
    const cmp = compareReports({ cases: [row('a', { status: 'fail', ratioGpu: null })] }, { cases: [row('a')] });
    expect(cmp.ok).toBe(false);
    expect(cmp.regressions[0].metric).toBe('check (fail)');
  });

  it('ignores missing cases, metrics absent on either side, and the ceilings themselves', () => {
    const base = { cases: [row('gone'), row('a', { ratioGpu: null }), row('ceil', { kernel: 'ceiling', fmaFraction: 1 })] };
    const cur = { cases: [row('a', { ratioGpu: 0.01, ratioWall: null }), row('new'), row('ceil', { kernel: 'ceiling', fmaFraction: 0.1 })] };
    const cmp = compareReports(cur, base);
    expect(cmp.ok).toBe(true);
    expect(cmp.missing).toEqual(['gone']);
    expect(cmp.compared).toBe(2); // a: %FMA and %copy only
  });

  it('rejects a nonsensical tolerance', () => {
    expect(() => compareReports({ cases: [] }, { cases: [] }, 1.5)).toThrow(/tolerance/);
  });
});
