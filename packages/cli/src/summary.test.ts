// The commit a run records is the project checkout's, wherever the user stands.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { currentCommit, PROJECT_ROOT } from './summary.js';

describe('currentCommit', () => {
  it("is the project's, not that of the repository the user stands in (whose config git would obey)", () => {
    const ours = currentCommit();
    expect(ours).toMatch(/^[0-9a-f]{7,}(-dirty)?$/);
    const other = mkdtempSync(join(tmpdir(), 'pretext-otherrepo-'));
    const git = (...a: string[]) => execFileSync('git', a, { cwd: other, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'x', GIT_AUTHOR_EMAIL: 'x@x', GIT_COMMITTER_NAME: 'x', GIT_COMMITTER_EMAIL: 'x@x' } }).trim();
    git('init', '-q');
    writeFileSync(join(other, 'f'), 'x');
    git('add', 'f');
    git('commit', '-qm', 'other');
    const theirs = git('rev-parse', '--short', 'HEAD');
    const cwd = process.cwd();
    try {
      process.chdir(other);
      expect(currentCommit()).toBe(ours);
      expect(currentCommit()).not.toBe(theirs);
    } finally {
      process.chdir(cwd);
    }
    // a directory that is not a checkout: unknown, even inside another repository
    expect(currentCommit(join(other, 'sub'))).toBe('unknown');
    expect(PROJECT_ROOT).toBe(join(__dirname, '../../..').replace(/\/$/, ''));
  });
});
