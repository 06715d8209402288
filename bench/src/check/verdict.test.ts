import { describe, expect, it } from 'vitest';
import { type CaseTrack, compareCounters, type Decision, decide, settle, type Verdict } from './verdict.js';

// deterministic "noisy" timings around a centre: ±4% spread, no ties
const around = (centre: number, n: number, seed = 1) => Array.from({ length: n }, (_, i) => centre * (1 + 0.04 * Math.sin(seed * 7.3 + i * 2.1)));
const opts = { threshold: 0.1, alpha: 0.01, minSamples: 5 };

describe('decide', () => {
  it('calls a clear 20% slowdown slower and a 20% speed-up faster', () => {
    const base = around(10, 10);
    const slow = decide(base, around(12, 10, 2), opts);
    expect(slow.verdict).toBe('slower');
    expect(slow.ratio).toBeGreaterThan(1.15);
    expect(slow.p).toBeLessThan(0.001);
    expect(decide(base, around(8, 10, 2), opts).verdict).toBe('faster');
  });

  it('calls a difference inside the threshold same, however significant', () => {
    const d = decide(around(10, 10), around(10.5, 10, 2), opts); // 5% apart
    expect(d.p).toBeLessThan(0.05);
    expect(d.verdict).toBe('same');
    expect(decide(around(10, 10), around(10, 10, 3), opts).verdict).toBe('same');
  });

  it('says unknown when the medians differ beyond the threshold but the samples overlap', () => {
    // head's median is 20% up, but two values from either side interleave: not significant at 1%
    const base = [10, 11, 9, 30, 10.5, 9.5, 28, 10.2];
    const head = [12, 13, 11.5, 9.8, 29, 12.5, 10.1, 31];
    const d = decide(base, head, opts);
    expect(d.ratio).toBeGreaterThan(1.1);
    expect(d.p).toBeGreaterThan(0.01);
    expect(d.verdict).toBe('unknown');
  });

  it('says unknown with too few samples, and rejects bad options', () => {
    expect(decide([1, 2], [3, 4], opts).verdict).toBe('unknown');
    expect(decide([], [], opts).verdict).toBe('unknown');
    expect(() => decide([1], [1], { ...opts, threshold: 0 })).toThrow(/threshold/);
    expect(() => decide([1], [1], { ...opts, alpha: 1 })).toThrow(/alpha/);
  });
});

const d = (verdict: Verdict): Decision => ({ verdict, ratio: 1, p: 0.5, base: 1, head: 1 });
const track = (...v: Verdict[]): CaseTrack => ({ rounds: v.map(d) });

describe('settle', () => {
  it('ends on same or faster at once', () => {
    expect(settle(track('same'), 4)).toEqual({ done: true, verdict: 'same' });
    expect(settle(track('unknown', 'faster'), 4)).toEqual({ done: true, verdict: 'faster' });
  });

  it('confirms a slowdown only when a second round says so too, with no round saying otherwise', () => {
    expect(settle(track('slower'), 4)).toMatchObject({ done: false });
    expect(settle(track('slower', 'slower'), 4)).toMatchObject({ done: true, verdict: 'slower', note: 'confirmed in rounds 1, 2' });
    expect(settle(track('slower', 'unknown'), 4)).toMatchObject({ done: false });
    expect(settle(track('slower', 'unknown', 'slower'), 4)).toMatchObject({ done: true, verdict: 'slower', note: 'confirmed in rounds 1, 3' });
    expect(settle(track('slower', 'same'), 4)).toMatchObject({ done: true, verdict: 'same' });
  });

  it('reruns unknowns, and reports what is left after the last round as unknown', () => {
    expect(settle(track('unknown'), 4)).toMatchObject({ done: false });
    expect(settle(track('unknown', 'unknown'), 2)).toMatchObject({ done: true, verdict: 'unknown', note: expect.stringMatching(/undecided after 2 rounds/) });
    expect(settle(track('unknown', 'slower'), 2)).toMatchObject({ done: true, verdict: 'unknown', note: expect.stringMatching(/slower in round 2 only; not confirmed/) });
    expect(settle(track('slower'), 1)).toMatchObject({ done: true, verdict: 'unknown' });
  });
});

describe('compareCounters', () => {
  it('reports every exact change, and what one side lacks or cannot repeat', () => {
    const base = { dispatches: 81, submits: 1, declaredFlops: 1e9, bytesCreated: null, pipelinesCreated: 0 };
    const head = { dispatches: 82, submits: 1, declaredFlops: 1.2e9, bytesCreated: 0, pipelinesCreated: 3 };
    const c = compareCounters(base, head, ['pipelinesCreated']);
    expect(c.changed).toEqual([
      { counter: 'dispatches', base: 81, head: 82 },
      { counter: 'declaredFlops', base: 1e9, head: 1.2e9 },
    ]);
    expect(c.notCompared).toEqual(['bytesCreated (base does not report it)', 'pipelinesCreated (varies between runs)']);
  });

  it('finds nothing when the counters agree', () => {
    expect(compareCounters({ a: 1, b: 2 }, { a: 1, b: 2 })).toEqual({ changed: [], notCompared: [] });
  });
});
