// The crash harness in the suite, shortened: 3 kills (scripts/crash-test.ts runs ≥ 50).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { crashTest } from './crash.js';

const dir = mkdtempSync(join(tmpdir(), 'pretext-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('kill -9 three times: every restart resumes from the newest good checkpoint and ends byte-identical', async () => {
  const r = await crashTest({ kills: 3, seed: 7, dir });
  expect(r.kills).toBe(3);
  expect(r.completedRuns).toBeGreaterThanOrEqual(1);
}, 600_000);
