// The `pnpm bench` command line, given a way to load the cases (the filesystem in main.ts;
// static imports in the bundle that scripts/bundle.mjs builds).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Gpu } from '@pretext/gpu';
import { compareReports, formatComparison } from './compare.js';
import { type LoadedCase, selectCases } from './discover.js';
import { benchHtml, loadHistory } from './html-report.js';
import { peerTf } from './peer.js';
import { type BenchReport, formatMarkdown, formatTable, resultBaseName } from './report.js';
import { runBench } from './run.js';

// bench/results/ beside the sources; a bundle elsewhere sets PRETEXT_BENCH_RESULTS or passes --json
const RESULTS = process.env.PRETEXT_BENCH_RESULTS ?? fileURLToPath(new URL('../results/', import.meta.url));

const USAGE = `pnpm bench [options]
  --only <pattern>     cases whose name matches (substring, regex, or /re/flags); ceilings always run
  --json <file>        where to write the JSON (default bench/results/<adapter>-<date>.json); .md beside it
  --check <baseline>   compare ratios (×peer, %FMA, %copy) with a baseline JSON; exit 1 on regression
  --tolerance <x>      allowed relative drop for --check (default 0.5)
  --quick              small sizes, few reps (CI)
  --reps <n>           timed reps per case (default 10, quick 5)
  --warmup <n>         untimed reps first (default 2, quick 1)
  --no-peer            skip tfjs
  --no-subgroups       every kernel on its portable variant, as on an adapter whose subgroups the
                       kernels are not written for (also: env PRETEXT_SUBGROUPS=0); results get -nosg
  --report             also write an HTML page beside the JSON: throughput against each peer, a roofline,
                       the history of bench/results/ per adapter
  --report-from <json> write that page for a stored run (beside it) without running anything
  --list               list the cases and exit`;

function readBaseline(path: string): BenchReport {
  if (!existsSync(path)) throw new Error(`baseline ${path} not found; record one on a quiet machine with: pnpm bench --quick --json ${path}`);
  const r = JSON.parse(readFileSync(path, 'utf8')) as BenchReport;
  if (r.schema !== 1 || !Array.isArray(r.cases)) throw new Error(`${path} is not a bench report (schema 1 with cases)`);
  return r;
}

/** The HTML page of a run beside its JSON, with bench/results/ (and the run itself) as history. */
function writeHtml(report: BenchReport, json: string): string {
  const history = loadHistory(RESULTS);
  if (!history.some((r) => r.date === report.date && r.commit === report.commit)) history.push(report);
  const html = `${json.replace(/\.json$/, '')}.html`;
  writeFileSync(html, benchHtml(report, history));
  return html;
}

/** Runs the command; resolves to the process exit code (0 ok, 1 failure or regression). */
export async function runCli(args: string[], loadAll: () => Promise<LoadedCase[]>): Promise<number> {
  const { values: a } = parseArgs({
    args,
    options: {
      only: { type: 'string' },
      json: { type: 'string' },
      check: { type: 'string' },
      tolerance: { type: 'string', default: '0.5' },
      quick: { type: 'boolean', default: false },
      reps: { type: 'string' },
      warmup: { type: 'string' },
      'no-peer': { type: 'boolean', default: false },
      'no-subgroups': { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
      report: { type: 'boolean', default: false },
      'report-from': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (a.help) {
    console.log(USAGE);
    return 0;
  }
  const int = (v: string | undefined, d: number, name: string) => {
    const n = v == null ? d : Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got '${v}'`);
    return n;
  };
  const reps = Math.max(1, int(a.reps, a.quick ? 5 : 10, 'reps'));
  const warmup = int(a.warmup, a.quick ? 1 : 2, 'warmup');
  if (a['report-from']) {
    const from = resolve(a['report-from']);
    console.log(`wrote ${writeHtml(readBaseline(from), from)}`);
    return 0;
  }
  const tolerance = Number(a.tolerance);
  const baseline = a.check ? readBaseline(resolve(a.check)) : null;

  const all = await loadAll();
  const cases = selectCases(all, a.only);
  if (a.list) {
    for (const c of all) console.log(`${c.case.name}\t(${c.file})${c.case.peer ? `\tvs ${c.case.peer.name}` : ''}`);
    return 0;
  }
  if (cases.every((c) => c.case.kernel === 'ceiling') && a.only) console.warn(`no case matches --only '${a.only}'; measuring the ceilings only`);

  const trace = join(tmpdir(), 'pretext-bench-trace.json');
  const gpu = await Gpu.create({ profile: true, tracePath: trace, ...(a['no-subgroups'] ? { subgroups: false } : {}) });
  const portable = gpu.subgroupWidth() === 0;
  if (portable) console.warn(`subgroup kernels off (${!gpu.subgroups ? 'switched off' : gpu.subgroupSizes ? 'no width they are written for' : 'the adapter has none'}): timing the portable variants`);
  if (!gpu.profiler.enabled) console.warn('adapter has no timestamp-query: GPU columns fall back to wall time');
  let report: BenchReport;
  try {
    report = await runBench(gpu, cases, { reps, warmup, quick: a.quick, tf: a['no-peer'] ? null : peerTf, log: (l) => console.error(l) });
  } finally {
    await gpu.destroy();
  }

  console.log(`\n${formatTable(report)}\n`);
  const json = a.json ? resolve(a.json) : join(RESULTS, `${resultBaseName(report.adapter, report.date)}${a.quick ? '-quick' : ''}${portable ? '-nosg' : ''}.json`);
  mkdirSync(dirname(json), { recursive: true });
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  const md = `${json.replace(/\.json$/, '')}.md`;
  writeFileSync(md, formatMarkdown(report));
  console.log(`wrote ${json}\nwrote ${md}`);
  if (a.report) console.log(`wrote ${writeHtml(report, json)}`);

  let code = report.cases.some((c) => c.status !== 'ok') ? 1 : 0;
  if (baseline) {
    if (baseline.quick !== report.quick) console.warn(`baseline was ${baseline.quick ? '' : 'not '}a --quick run; ratios may not be comparable`);
    const cmp = compareReports(report, baseline, tolerance);
    console.log(formatComparison(cmp, tolerance));
    if (!cmp.ok) code = 1;
  }
  return code;
}
