// kill -9 at random moments during training and checkpointing, ≥ 50 times (tests/src/crash.ts says
// what is checked). Usage: pnpm crash-test [--kills N] [--seed S]; exits 1 on the first violation.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { crashTest } from '../tests/src/crash.js';

const { values } = parseArgs({ options: { kills: { type: 'string', default: '50' }, seed: { type: 'string', default: String(Date.now() % 1e6) }, keep: { type: 'boolean', default: false } } });
const dir = mkdtempSync(join(tmpdir(), 'pretext-crash-'));
console.log(`crash test: ${values.kills} kills, seed ${values.seed}, in ${dir}`);
crashTest({ kills: Number(values.kills), seed: Number(values.seed), dir, log: (l) => console.log(l) }).then(
  (r) => {
    console.log(`crash test passed: ${r.kills} kills (${r.midCheckpoint} with a checkpoint write in flight, ${r.beforeFirstCheckpoint} before the first checkpoint), ${r.resumes} resumes from the newest good checkpoint, ${r.completedRuns} runs completed byte-identical to the run never killed; ${r.seconds.toFixed(0)} s`);
    if (!values.keep) rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  },
  (e: unknown) => {
    console.error((e as Error).message);
    console.error(`kept ${dir}; replay with --seed ${values.seed}`);
    process.exit(1);
  },
);
