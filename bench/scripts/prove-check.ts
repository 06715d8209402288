// Proves `pnpm bench:check` on this machine: --slow runs in which head carries a known slowdown
// (PRETEXT_PROOF_SLOWDOWN=layernorm:<f>, kernels/src/layernorm/layernorm.ts: a second forward
// pass over f of the rows, switched on for head's processes only), each of which must be flagged,
// and --same runs of unchanged code (head = base = HEAD), none of which may be. The two kinds
// alternate so that both meet the same load. Base is HEAD, built once in a kept worktree.
//
//   pnpm exec tsx bench/scripts/prove-check.ts [--slow 10] [--same 20] [--fraction 0.2] [--only <pattern>]
//
// Writes bench/results/check-proof-<date>.{json,md}: per run the outcome, the slowed case's ratio
// and verdict, and any case flagged slower; the counts; commit, adapter, load.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { CheckReport } from '../src/check/format.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SLOWED = 'layernorm fwd 8192x256';

const { values: a } = parseArgs({
  options: {
    slow: { type: 'string', default: '10' },
    same: { type: 'string', default: '20' },
    fraction: { type: 'string', default: '0.2' },
    only: { type: 'string' },
  },
});
const nSlow = Number(a.slow);
const nSame = Number(a.same);
const fraction = Number(a.fraction);

const git = (...args: string[]) => spawnSync('git', args, { cwd: REPO, encoding: 'utf8' }).stdout.trim();
if (git('status', '--porcelain', '--untracked-files=no')) {
  console.error('prove-check: the checkout has uncommitted changes, so head would not be "unchanged code"; commit or stash them first');
  process.exit(2);
}
const commit = git('rev-parse', 'HEAD');
const out = mkdtempSync(join(tmpdir(), 'pretext-prove-check-'));

interface RunRecord {
  kind: 'slow' | 'same';
  exit: number;
  outcome: string;
  slowedVerdict: string | null;
  slowedRatio: number | null;
  flagged: string[];
  undecided: string[];
  seconds: number;
  load: [number, number];
}
const runs: RunRecord[] = [];
let adapter = '';

// S N N S N N …: the slow runs spread evenly through the same runs
const order: ('slow' | 'same')[] = [];
for (let s = 0, n = 0; s < nSlow || n < nSame; ) {
  if (s < nSlow && (n >= nSame || s * nSame <= n * nSlow)) order.push('slow'), s++;
  else order.push('same'), n++;
}
for (const [i, kind] of order.entries()) {
  const json = join(out, `${i}-${kind}.json`);
  // --no-build: the proof is about the timing check (the bench runs the sources through tsx)
  const args = ['bench:check', '--base', 'HEAD', '--keep-base', '--no-build', '--json', json, ...(a.only ? ['--quick', '--only', a.only] : ['--fast'])];
  if (kind === 'slow') args.push('--head-env', `PRETEXT_PROOF_SLOWDOWN=layernorm:${fraction}`);
  const t0 = Date.now();
  const load0 = loadavg()[0];
  const r = spawnSync('pnpm', args, { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
  let rep: CheckReport | null = null;
  try {
    rep = JSON.parse(readFileSync(json, 'utf8')) as CheckReport;
  } catch {
    /* the run failed before writing its report: recorded by its exit code */
  }
  adapter ||= rep?.base.adapter ?? '';
  const slowed = rep?.cases.find((c) => c.name === SLOWED);
  const rec: RunRecord = {
    kind,
    exit: r.status ?? -1,
    outcome: rep?.outcome ?? 'no report',
    slowedVerdict: slowed?.verdict ?? null,
    slowedRatio: slowed?.ratio ?? null,
    flagged: rep?.cases.filter((c) => c.verdict === 'slower').map((c) => c.name) ?? [],
    undecided: rep?.cases.filter((c) => c.verdict === 'unknown').map((c) => c.name) ?? [],
    seconds: (Date.now() - t0) / 1000,
    load: [load0, loadavg()[0]],
  };
  runs.push(rec);
  console.error(`prove-check ${i + 1}/${order.length} ${kind}: exit ${rec.exit}, ${rec.outcome}, ${SLOWED} ${rec.slowedVerdict} ${rec.slowedRatio?.toFixed(3)}, flagged [${rec.flagged.join(', ')}], ${rec.seconds.toFixed(0)} s, load ${rec.load.map((l) => l.toFixed(1)).join('→')}`);
}

const slow = runs.filter((r) => r.kind === 'slow');
const same = runs.filter((r) => r.kind === 'same');
// caught: the check failed, and on the slowed case; a false alarm: a failed check on unchanged code
const caught = slow.filter((r) => r.exit === 1 && r.flagged.includes(SLOWED)).length;
const falseAlarms = same.filter((r) => r.exit !== 0).length;
const ratios = slow.map((r) => r.slowedRatio).filter((x): x is number => x != null).sort((x, y) => x - y);
const loads = runs.flatMap((r) => r.load);
const summary = {
  date: new Date().toISOString(),
  commit,
  adapter,
  cases: a.only ?? '--fast',
  slowdown: `PRETEXT_PROOF_SLOWDOWN=layernorm:${fraction} (head only)`,
  caught: `${caught}/${slow.length}`,
  falseAlarms: `${falseAlarms}/${same.length}`,
  slowedRatioMedian: ratios.length ? ratios[ratios.length >> 1] : null,
  slowedRatioRange: ratios.length ? [ratios[0], ratios[ratios.length - 1]] : null,
  loadRange: [Math.min(...loads), Math.max(...loads)],
  secondsPerRun: runs.reduce((s, r) => s + r.seconds, 0) / runs.length,
  runs,
};
const day = summary.date.slice(0, 10);
const base = join(REPO, 'bench', 'results', `check-proof-${day}`);
writeFileSync(`${base}.json`, `${JSON.stringify(summary, null, 2)}\n`);
const md = [
  `# bench:check proof, ${day}`,
  '',
  `Commit ${commit.slice(0, 10)}, ${adapter}; cases: ${summary.cases}; base = head = HEAD, head with ${summary.slowdown} in the slow runs.`,
  '',
  `- ${Math.round(100 * fraction)}% more work caught (exit 1, ${SLOWED} confirmed slower): **${summary.caught}**; the slowed case measured ${summary.slowedRatioMedian?.toFixed(3)}× (median; ${summary.slowedRatioRange?.map((x) => x.toFixed(3)).join('–')}).`,
  `- unchanged code, false alarms (exit ≠ 0): **${summary.falseAlarms}**.`,
  `- load average ${summary.loadRange.map((x) => x.toFixed(1)).join('–')} on 2 cores; ${summary.secondsPerRun.toFixed(0)} s per run.`,
  '',
  '| # | kind | exit | outcome | slowed case | ratio | flagged slower | undecided | s | load |',
  '|---:|---|---:|---|---|---:|---|---|---:|---|',
  ...runs.map(
    (r, i) =>
      `| ${i + 1} | ${r.kind} | ${r.exit} | ${r.outcome} | ${r.slowedVerdict ?? '—'} | ${r.slowedRatio?.toFixed(3) ?? '—'} | ${r.flagged.join(', ') || '—'} | ${r.undecided.join(', ') || '—'} | ${r.seconds.toFixed(0)} | ${r.load.map((l) => l.toFixed(1)).join('→')} |`,
  ),
  '',
].join('\n');
writeFileSync(`${base}.md`, md);
console.log(md);
console.error(`wrote ${base}.json and .md; the runs' own reports are in ${out}`);
