// `pretext report DIR1 DIR2 …`: several runs on one page — each run's headline numbers in one
// table (the best of each column marked), the options in which they differ, and their curves
// overlaid (one interactive chart per metric, a series per run).
import { basename, resolve } from 'node:path';
import type { EvalReport } from '@pretext/eval';
import { type Chart, chartBlock, chartScripts } from './charts.js';
import { readMetrics } from './metrics.js';
import { fixed, list, page, pct, text } from './page.js';
import { metricKeys, metricTitle } from './report.js';
import { writeFileSafe } from './safe-fs.js';
import { readSummary, type Summary } from './summary.js';

interface Run {
  dir: string;
  /** A short name: the directory's base name, made unique. */
  name: string;
  summary: Summary;
  rows: ReturnType<typeof readMetrics>;
}

/** Columns of the comparison: a label, a value per run, and whether higher is better (for marking). */
const COLUMNS: { label: string; of: (r: Run, ours?: EvalReport) => unknown; higher: boolean; fmt: (v: unknown) => string }[] = [
  { label: 'steps', of: (r) => r.summary.steps, higher: true, fmt: text },
  { label: 'training s', of: (r) => r.summary.trainSeconds, higher: false, fmt: (v) => fixed(v, 1) },
  { label: 'items/s', of: (r) => r.summary.itemsPerSec, higher: true, fmt: (v) => fixed(v, 1) },
  { label: 'final loss', of: (r) => r.rows.at(-1)?.loss, higher: false, fmt: (v) => fixed(v, 4) },
  { label: 'linear top-1 %', of: (_r, o) => o?.linear?.top1, higher: true, fmt: pct },
  { label: 'kNN top-1 %', of: (_r, o) => o?.knn?.top1, higher: true, fmt: pct },
  { label: 'RankMe', of: (_r, o) => o?.rankMe, higher: true, fmt: (v) => fixed(v, 1) },
  { label: 'test images', of: (_r, o) => o?.nTest, higher: true, fmt: text },
];

function readRun(dir: string, taken: Set<string>): Run {
  let name = basename(resolve(dir));
  for (let k = 2; taken.has(name); k++) name = `${basename(resolve(dir))} (${k})`;
  taken.add(name);
  return { dir, name, summary: readSummary(dir), rows: readMetrics(dir) };
}

/** The trained encoder's report in a run's latest evaluation (the first row). */
const oursOf = (r: Run): EvalReport | undefined => list<{ reports: EvalReport[] }>(r.summary.evaluations).at(-1)?.reports?.[0];

function table(runs: Run[]): string {
  const values = COLUMNS.map((c) => runs.map((r) => c.of(r, oursOf(r))));
  const best = values.map((vs, i) => {
    const nums = vs.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    if (nums.length < 2 || COLUMNS[i].label === 'test images' || COLUMNS[i].label === 'steps') return undefined;
    return COLUMNS[i].higher ? Math.max(...nums) : Math.min(...nums);
  });
  const head = `<tr><th>run</th><th>task</th><th>dataset</th>${COLUMNS.map((c) => `<th>${text(c.label)}</th>`).join('')}</tr>`;
  const body = runs.map((r, j) => {
    const cells = COLUMNS.map((c, i) => `<td${values[i][j] === best[i] ? ' class="best"' : ''}>${c.fmt(values[i][j])}</td>`);
    return `<tr><td>${text(r.name)}</td><td>${text(r.summary.task)}</td><td>${text(r.summary.dataset)}</td>${cells.join('')}</tr>`;
  });
  return `<table>${head}${body.join('')}</table>`;
}

/** The options whose values differ between the runs. */
function differences(runs: Run[]): string {
  const cfg = (r: Run) => (r.summary.config && typeof r.summary.config === 'object' ? (r.summary.config as Record<string, unknown>) : {});
  const keys = [...new Set(runs.flatMap((r) => Object.keys(cfg(r))))].filter((k) => new Set(runs.map((r) => JSON.stringify(cfg(r)[k]))).size > 1);
  if (!keys.length) return '<p>The runs have the same config.</p>';
  const head = `<tr><th>option</th>${runs.map((r) => `<th>${text(r.name)}</th>`).join('')}</tr>`;
  return `<table>${head}${keys.map((k) => `<tr><th>${text(k)}</th>${runs.map((r) => `<td>${text(JSON.stringify(cfg(r)[k]))}</td>`).join('')}</tr>`).join('')}</table>`;
}

/** One chart per metric any run logs, a series per run. */
function charts(runs: Run[]): Chart[] {
  const keys = ['loss', ...new Set(runs.flatMap((r) => metricKeys(r.rows))), 'lr'];
  return keys.map((k) => ({
    title: k === 'loss' ? 'loss' : k === 'lr' ? 'learning rate' : metricTitle(k),
    xLabel: 'step',
    yLabel: k,
    series: runs.filter((r) => r.rows.some((row) => k in row)).map((r) => ({ name: r.name, xs: r.rows.map((row) => row.step), ys: r.rows.map((row) => row[k]) })),
  }));
}

/** Writes the comparison of `dirs` to `out`; returns its path. Errors name the run file that is bad. */
export function writeComparison(dirs: readonly string[], out: string): string {
  const taken = new Set<string>();
  const runs = dirs.map((d) => readRun(d, taken));
  const cs = Object.fromEntries(charts(runs).map((c, i) => [`chart-${i}`, c]));
  const sections = [
    `<h1>${runs.length} runs side by side</h1>`,
    `<p class="meta">${runs.map((r) => `${text(r.name)}: ${text(r.dir)} (commit ${text(r.summary.commit)})`).join(' · ')}</p>`,
    '<h2>Results</h2><p>Each run\'s trained encoder in its latest evaluation; the best value of each column is marked.</p>',
    table(runs),
    '<h2>Where the configs differ</h2>',
    differences(runs),
    `<h2>Curves</h2><div class="grid">\n${Object.entries(cs).map(([id, c]) => chartBlock(id, c)).join('\n')}\n</div>`,
  ];
  writeFileSafe(out, page(`pretext: ${runs.map((r) => r.name).join(' vs ')}`, sections, chartScripts(cs)));
  return out;
}
