// The check's bad-input paths and its report, without building a worktree: git and pnpm are
// replaced by a scripted `run` where a real one would take minutes.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { BaseError, prepareBase, type Run, resolveRef } from './base.js';
import { exactly, FAST_CASES, pairCases, runCheck } from './check.js';
import { type CaseOutcome, type CheckReport, exitCodeOf, formatCheckMarkdown, outcomeOf } from './format.js';

const SHA = 'a'.repeat(40);

/** A fake `run`: answers by the first matching pattern over "cmd args…", records the calls. */
function scripted(answers: [RegExp, number, string?][]): Run & { calls: string[] } {
  const calls: string[] = [];
  const run: Run = (cmd, args) => {
    const line = [cmd, ...args].join(' ');
    calls.push(line);
    const a = answers.find(([re]) => re.test(line));
    return { status: a ? a[1] : 0, output: a?.[2] ?? '' };
  };
  return Object.assign(run, { calls });
}

describe('resolveRef', () => {
  it('returns the commit of a known ref', () => {
    expect(resolveRef('/repo', 'HEAD~1', scripted([[/rev-parse --verify/, 0, `${SHA}\n`]]))).toBe(SHA);
  });

  it('says plainly that a ref is unknown, and why when the clone is shallow', () => {
    const unknown = scripted([[/rev-parse --verify/, 1], [/is-shallow/, 0, 'false\n']]);
    expect(() => resolveRef('/repo', 'no-such-branch', unknown)).toThrow(/unknown base ref 'no-such-branch': git rev-parse finds no commit/);
    const shallow = scripted([[/rev-parse --verify/, 1], [/is-shallow/, 0, 'true\n']]);
    expect(() => resolveRef('/repo', 'HEAD~1', shallow)).toThrow(/shallow and does not have it .*--deepen/);
    expect(() => resolveRef('/repo', '--oops', unknown)).toThrow(BaseError);
  });

  it('finds no commit for an unknown ref in this repository (real git)', () => {
    expect(() => resolveRef(process.cwd(), 'refs/heads/no-such-branch-for-the-bench-check')).toThrow(/unknown base ref/);
  });
});

describe('prepareBase', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'pretext-check-test-'));
  const log = () => {};

  /** A checkout with a bench harness, as `git worktree add` would leave it. */
  const checkout = () => {
    const d = dir();
    mkdirSync(join(d, 'bench', 'src'), { recursive: true });
    writeFileSync(join(d, 'bench', 'src', 'index.ts'), '');
    return d;
  };

  it('adds the worktree, installs offline, builds', () => {
    const run = scripted([]);
    const b = prepareBase('/repo', SHA, { keep: true, log, run, dir: checkout() });
    expect(b.sha).toBe(SHA);
    const calls = run.calls.filter((c) => !/worktree (remove|prune)/.test(c)); // a stale directory is removed first
    expect(calls[0]).toMatch(/^git worktree add --detach --force .* a{40}$/);
    expect(calls[1]).toMatch(/^pnpm install --frozen-lockfile --offline/);
    expect(calls[2]).toMatch(/^pnpm exec turbo run build/);
  });

  it('falls back to the registry when the offline install fails, and names the failing step', () => {
    const run = scripted([[/install/, 1, 'ERR_PNPM_NO_OFFLINE_TARBALL something']]);
    expect(() => prepareBase('/repo', SHA, { keep: false, log, run, dir: join(dir(), 'base') })).toThrow(
      /base aaaaaaaaaa does not build: pnpm install --frozen-lockfile failed \(exit 1\):\nERR_PNPM_NO_OFFLINE_TARBALL/,
    );
    expect(run.calls.filter((c) => c.startsWith('pnpm install'))).toHaveLength(2);
    expect(run.calls.some((c) => c.startsWith('git worktree remove'))).toBe(true); // cleaned up
  });

  it('reports a base that does not build with the end of the build log', () => {
    const run = scripted([[/turbo run build/, 2, 'src/x.ts(3,1): error TS1005: ";" expected.']]);
    expect(() => prepareBase('/repo', SHA, { keep: false, log, run, dir: join(dir(), 'base') })).toThrow(/does not build: turbo run build failed \(exit 2\):\n.*TS1005/);
  });

  it('says so when the base has no bench harness to run', () => {
    expect(() => prepareBase('/repo', SHA, { keep: false, log, run: scripted([]), dir: join(dir(), 'base') })).toThrow(/has no bench harness/);
  });

  it('reuses a kept checkout of the same commit', () => {
    const d = dir();
    writeFileSync(join(d, '.pretext-bench-base'), `${SHA}\n`);
    const run = scripted([]);
    prepareBase('/repo', SHA, { keep: true, log, run, dir: d });
    expect(run.calls).toEqual([]);
  });
});

describe('pairCases', () => {
  const k = (name: string, kernel = 'matmul') => ({ name, kernel });

  it('compares what both sides have and lists what only one side has', () => {
    const base = [k('ceiling fma', 'ceiling'), k('matmul a'), k('old case'), k('train x', 'train')];
    const head = [k('ceiling fma', 'ceiling'), k('matmul a'), k('new case'), k('train x', 'train')];
    expect(pairCases(base, head, undefined)).toEqual({
      both: ['matmul a'],
      notCompared: [
        { name: 'old case', reason: 'only in base (removed or renamed in head)' },
        { name: 'new case', reason: 'only in head (new, or renamed)' },
      ],
    });
    // training steps only when named; ceilings never
    expect(pairCases(base, head, '^(train|ceiling)').both).toEqual(['train x']);
  });

  it('the --fast pattern matches its cases exactly, special characters included', () => {
    const re = new RegExp(exactly(FAST_CASES).slice(1, -1));
    for (const n of FAST_CASES) expect(re.test(n)).toBe(true);
    expect(re.test('conv2d fwd+bwd 3x3 32->64 @14x14 batch 640')).toBe(false);
    expect(re.test('conv2d fwdbwd 3x3 32->64 @14x14 batch 64')).toBe(false);
  });
});

const outcome = (name: string, verdict: CaseOutcome['verdict'], o: Partial<CaseOutcome> = {}): CaseOutcome => ({
  name,
  clock: 'gpu',
  verdict,
  ratio: 1.25,
  p: 0.00012,
  base: { medianMs: 4 },
  head: { medianMs: 5 },
  reps: 10,
  rounds: [{ verdict, ratio: 1.25, p: 0.00012, base: [4], head: [5] }],
  counters: { base: {}, head: {}, changed: [], notCompared: [] },
  ...o,
});

const report = (cases: CaseOutcome[], notCompared: CheckReport['notCompared'] = []): CheckReport => ({
  schema: 'pretext-bench-check/1',
  date: '2026-12-06T00:00:00Z',
  base: { ref: 'HEAD~1', sha: 'b'.repeat(40), adapter: 'llvmpipe (LLVM 15.0.6)' },
  head: { commit: `${'c'.repeat(40)}-dirty`, adapter: 'llvmpipe (LLVM 15.0.6)' },
  options: { quick: true, only: null, samples: 10, maxRounds: 4, threshold: 0.1, alpha: 0.01, headEnv: {} },
  load: [1.5, 2.5],
  seconds: 93,
  cases,
  notCompared,
  outcome: outcomeOf(cases, notCompared),
});

describe('report', () => {
  it('fails only on a confirmed slowdown; one-sided or undecided cases make it incomplete, not a pass', () => {
    expect(outcomeOf([outcome('a', 'same'), outcome('b', 'faster')], [])).toBe('pass');
    expect(outcomeOf([outcome('a', 'same'), outcome('b', 'slower')], [])).toBe('slower');
    expect(outcomeOf([outcome('a', 'same')], [{ name: 'x', reason: 'only in head' }])).toBe('incomplete');
    expect(outcomeOf([outcome('a', 'unknown')], [])).toBe('incomplete');
    expect(outcomeOf([], [])).toBe('incomplete');
    expect(exitCodeOf({ outcome: 'slower' })).toBe(1);
    expect(exitCodeOf({ outcome: 'incomplete' })).toBe(0);
  });

  it('prints a Markdown table with the base, head, ratio, p and verdict of each case', () => {
    const md = formatCheckMarkdown(
      report(
        [
          outcome('matmul a|b', 'slower', { note: 'confirmed in rounds 1 and 2', counters: { base: {}, head: {}, changed: [{ counter: 'dispatches', base: 81, head: 82 }], notCompared: ['bytesCreated (base does not report it)'] } }),
          outcome('softmax', 'same', { ratio: 1.01, p: 0.62, base: { medianMs: 0.9512 }, head: { medianMs: 0.96 } }),
        ],
        [{ name: 'new case', reason: 'only in head (new, or renamed)' }],
      ),
    );
    expect(md).toContain('### Bench check: head cccccccccc (uncommitted changes) against base HEAD~1 (bbbbbbbbbb)');
    expect(md).toContain('| case | base | head | ratio | p | verdict | clock, rounds |');
    expect(md).toContain('| matmul a\\|b | 4.00 ms | 5.00 ms | 1.250× | 1.2e-4 | 🔴 slower (confirmed in rounds 1 and 2) | gpu, 1 |');
    expect(md).toContain('| softmax | 951.2 µs | 960.0 µs | 1.010× | 0.6200 | same | gpu, 1 |');
    expect(md).toContain('| matmul a\\|b | dispatches | 81 | 82 |');
    expect(md).toContain('Counters not compared: matmul a|b: bytesCreated (base does not report it).');
    expect(md).toContain('- new case: only in head (new, or renamed)');
    expect(md).toContain('**SLOWER**: 1 confirmed slowdown of 2 compared.');
  });

  it('says INCOMPLETE, not PASS, when something could not be compared', () => {
    const md = formatCheckMarkdown(report([outcome('a', 'same'), outcome('b', 'unknown')], [{ name: 'c', reason: "head's check() fails" }]));
    expect(md).toContain('**INCOMPLETE**: no confirmed slowdown in 2 compared cases, but 1 not compared and 1 undecided.');
    expect(md).not.toContain('PASS');
  });
});

describe('runCheck', () => {
  it('exits 3 with a plain message for an unknown base ref, 2 for bad usage', async () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(await runCheck(['--base', 'refs/heads/no-such-branch-for-the-bench-check'])).toBe(3);
      expect(err.mock.calls.flat().join('\n')).toMatch(/bench check: unknown base ref 'refs\/heads\/no-such-branch-for-the-bench-check'/);
      expect(await runCheck([])).toBe(2);
      expect(await runCheck(['--base', 'HEAD', '--samples', '3'])).toBe(2);
      expect(await runCheck(['--base', 'HEAD', '--head-env', 'not an assignment'])).toBe(2);
      expect(err.mock.calls.flat().join('\n')).toMatch(/--samples must be an integer ≥ 5, got '3'/);
    } finally {
      err.mockRestore();
    }
  });
});
