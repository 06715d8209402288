// DIR/report.html from the files of a run (metrics.jsonl, summary.json, embedding.json, PNGs):
// training curves (interactive, charts.ts), the evaluation table, the figures and the config, in
// one self-contained file (images embedded, scripts inlined) that opens offline anywhere. Every
// value from the run's files is escaped (page.ts): a hand-edited summary.json is data, never markup.
import { join } from 'node:path';
import type { EvalReport } from '@pretext/eval';
import { type Chart, chartBlock, chartScripts } from './charts.js';
import type { ReportTable } from './evaluation.js';
import type { EmbeddingMap } from './figures.js';
import { headline, headlineHtml } from './headline.js';
import type { PretextFigure } from './pretext-figures.js';
import { readMetrics, ROW_KEYS, type MetricsRow } from './metrics.js';
import { fixed, list, page, pct, pngUri, text } from './page.js';
import { readInside, writeFileSafe } from './safe-fs.js';
import { readSummary, type Summary } from './summary.js';
import { scatterPlot } from './svg.js';

/** What the common metric names mean, for plot titles. */
const METRIC_TITLES: Record<string, string> = {
  accuracy: 'top-1 of the pretext prediction (the positive, the permutation, …)',
  embeddingStd: 'collapse: std of normalised embeddings (≈1/√d healthy, 0 = collapse)',
  paramNorm: 'weight norm ‖θ‖₂ of the trained parameters',
};

export const reportPath = (dir: string): string => join(dir, 'report.html');

/** "llvmpipe: Mesa … (dawn-node)": the description, plus the driver when it says something new. */
export function adapterLine(a: Summary['adapter']): string {
  const name = String(a?.description || a?.device || 'unknown adapter');
  return `${name}${a?.driver && !name.includes(String(a.driver)) ? ` · ${a.driver}` : ''} (${a?.backend ?? '?'})`;
}

/** The task's metrics in the order its rows name them, without the bookkeeping columns. */
export function metricKeys(rows: readonly MetricsRow[]): string[] {
  return [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((k) => !(ROW_KEYS as readonly string[]).includes(k) && k !== 'lr' && k !== 'loss');
}

export const metricTitle = (k: string): string => {
  const base = METRIC_TITLES[k.replace(/^.*\./, '')];
  return base ? `${k}: ${base}` : k;
};

export function evalTable(reports: readonly EvalReport[]): string {
  const fractionsOf = (key: 'fewLabel' | 'fineTune') => [...new Set(reports.flatMap((r) => list<{ fraction: number }>(r[key]).map((f) => f.fraction)))].filter((f) => typeof f === 'number').sort((a, b) => a - b);
  const [fractions, tuned] = [fractionsOf('fewLabel'), fractionsOf('fineTune')];
  const at = (v: unknown, f: number) => pct(list<{ fraction: number; top1: number }>(v).find((x) => x.fraction === f)?.top1);
  const head = ['model', 'dim', 'linear top-1 %', 'kNN top-1 %', ...fractions.map((f) => `${+(100 * f).toFixed(2)}% labels %`), ...tuned.map((f) => `${+(100 * f).toFixed(2)}% labels, fine-tuned %`), 'alignment', 'uniformity', 'RankMe', 'recall@1 %'];
  const rows = reports.map((r) => [
    text(r.model), text(r.featureDim), pct(r.linear?.top1), pct(r.knn?.top1), ...fractions.map((f) => at(r.fewLabel, f)), ...tuned.map((f) => at(r.fineTune, f)),
    fixed(r.alignUniform?.alignment, 3), fixed(r.alignUniform?.uniformity, 3), fixed(r.rankMe, 1), pct(r.retrieval?.recallAt1),
  ]);
  const tr = (cells: string[], tag: string) => `<tr>${cells.map((c) => `<${tag}>${c}</${tag}>`).join('')}</tr>`;
  return `<table>${tr(head.map(text), 'th')}${rows.map((r) => tr(r, 'td')).join('')}</table>`;
}

/** A table an evaluation wrote as rows of text (the language tasks'). */
function plainTable(t: ReportTable): string {
  const tr = (cells: readonly unknown[], tag: string) => `<tr>${list(cells).map((c) => `<${tag}>${text(c)}</${tag}>`).join('')}</tr>`;
  return `<h3>${text(t.title)}</h3><table>${tr(list(t.head), 'th')}${list<unknown[]>(t.rows).map((r) => tr(r, 'td')).join('')}</table>${t.note ? `<p class="meta">${text(t.note)}</p>` : ''}`;
}

/** Text a language model sampled (the gpt task's report). */
function generations(s: Summary): string {
  return list<{ prompt?: string; temperature: number; topK?: number; text: string }>(s.figures?.generations)
    .map((g) => `<h3>Sample at temperature ${text(g.temperature)}${g.topK ? `, top-${text(g.topK)}` : ''}${g.prompt ? `, prompt ${text(JSON.stringify(g.prompt))}` : ''}</h3><pre class="sample">${text(g.text)}</pre>`)
    .join('\n');
}

function configTable(s: Summary): string {
  const cfg = s.config && typeof s.config === 'object' ? s.config : {};
  return `<table class="kv">${Object.entries(cfg).map(([k, v]) => `<tr><th>${text(k)}</th><td>${text(JSON.stringify(v))}</td></tr>`).join('')}</table>`;
}

/** The run's curves: loss, each metric the task logs, learning rate, throughput. */
export function trainingCharts(rows: readonly MetricsRow[], unit: string): Chart[] {
  const steps = rows.map((r) => r.step);
  const chart = (title: string, key: string, yLabel: string): Chart => ({ title, xLabel: 'step', yLabel, series: [{ name: key, xs: steps, ys: rows.map((r) => r[key]) }] });
  return [chart('loss', 'loss', 'loss'), ...metricKeys(rows).map((k) => chart(metricTitle(k), k, k)), chart('learning rate', 'lr', 'lr'), chart('throughput', 'itemsPerSec', `${unit}/s`)];
}

function title(s: Summary): string {
  return `<h1>${text(s.task)} on ${text(s.dataset)} (${text(s.preset)})</h1>`;
}

function header(s: Summary): string {
  return `<p class="meta">adapter: ${text(adapterLine(s.adapter))} · commit ${text(s.commit)} · ${text(s.steps)} steps · training ${fixed(s.trainSeconds, 1)} s · ${fixed(s.itemsPerSec ?? 0, 1)} ${text(s.unit ?? 'images')}/s · finished ${text(s.finishedAt)}</p>${
    s.final && typeof s.final === 'object' ? `\n<p>final step: ${Object.entries(s.final).map(([k, v]) => `${text(k)} ${typeof v === 'number' ? v.toPrecision(4) : text(v)}`).join(', ')}</p>` : ''
  }`;
}

/** The pretext objective's metrics on held-out test images (Evaluation.pretext). */
function heldOutPretext(p: Summary['evaluations'][number]['pretext']): string {
  if (!p || typeof p !== 'object') return '';
  const shown = Object.entries(p.metrics ?? {}).map(([k, v]) => `${k} ${/accuracy$/.test(k) ? `${pct(v)}%` : fixed(v, 4)}`);
  return `<p>The pretext task on ${text(p.items)} held-out test images (eval mode, fixed augmentation seeds): ${text(shown.join(', '))}.</p>\n`;
}

/** The headline of the latest evaluation (headline.ts), when it has a linear probe and baselines. */
function verdict(s: Summary): string {
  const reports = list<EvalReport>(list<Summary['evaluations'][number]>(s.evaluations).at(-1)?.reports);
  const h = reports.length ? headline(reports) : null;
  return h ? headlineHtml(h) : '';
}

function evaluation(s: Summary): string {
  const ev = list<Summary['evaluations'][number]>(s.evaluations).at(-1);
  if (!ev) return '';
  const earlier = list(s.evaluations).length - 1;
  const reports = list<EvalReport>(ev.reports);
  return `<h2>Evaluation</h2><p>${text(list(ev.protocols).join(', '))} · ${text(ev.at)} · ${fixed(ev.seconds, 1)} s${earlier ? ` · ${earlier} earlier evaluation(s) in summary.json` : ''}. The first row is the trained encoder; the others are baselines run by the same code.</p>
${heldOutPretext(ev.pretext)}${reports.length ? evalTable(reports) : ''}${list<ReportTable>(ev.tables).map(plainTable).join('\n')}`;
}

function figures(dir: string, s: Summary): string {
  const out: string[] = [];
  const f = s.figures && typeof s.figures === 'object' ? s.figures : {};
  const grid = f.augmentationGrid;
  const gridUri = grid && pngUri(dir, grid.file);
  if (grid && gridUri) {
    out.push(`<h2>Augmentations</h2><p>${text(grid.pipeline)} — rows: ${text(grid.rows)}.${grid.description ? ` ${text(grid.description)}` : ''}</p>`);
    out.push(`<img class="pixel" src="${gridUri}" alt="augmentation grid">`);
  }
  for (const p of list<PretextFigure>(f.pretext)) {
    const uri = pngUri(dir, p.file);
    if (!uri) continue;
    out.push(`<h2>Pretext: ${text(p.objective)} on test images</h2><p>rows: ${text(p.rows)}.${p.captions ? ` Predicted/true class, in order: ${text(p.captions)}.` : ''}</p>`);
    out.push(`<img class="pixel" src="${uri}" alt="${text(p.objective)} predictions">`);
  }
  const nn = f.neighbours;
  const nnUri = nn && pngUri(dir, nn.file);
  if (nn && nnUri) {
    out.push(`<h2>Nearest neighbours</h2><p>Each pair of rows: a test image (first column) and its ${text(nn.k)} nearest test images by cosine similarity — first row by the encoder's features, second by raw pixels. Over ${text(nn.queries)} queries in ${text(nn.pool)} images, ${pct(nn.sameClass?.encoder)}% of the encoder's neighbours share the query's class, ${pct(nn.sameClass?.pixels)}% of the pixels'.</p>`);
    out.push(`<img class="pixel" src="${nnUri}" alt="nearest neighbours: encoder vs raw pixels">`);
  }
  const mapBytes = readInside(dir, f.embeddingMap?.file);
  if (mapBytes) {
    let m: EmbeddingMap;
    try {
      m = JSON.parse(mapBytes.toString('utf8')) as EmbeddingMap;
    } catch (e) {
      throw new Error(`${join(dir, String(f.embeddingMap?.file))} is not valid JSON (${(e as Error).message})`);
    }
    out.push(`<h2>Embedding map</h2><p>${text(f.embeddingMap?.method ?? '')}</p>`);
    out.push(scatterPlot(String(m.title), list<number>(m.x), list<number>(m.y), list<number>(m.labels), list<string>(m.classes).map(String)));
  }
  return out.join('\n');
}

/** Builds report.html; returns its path. Throws naming the file when a run file is missing or bad. */
export function writeReport(dir: string): string {
  const s = readSummary(dir);
  const rows = readMetrics(dir);
  if (!rows.length) throw new Error(`${join(dir, 'metrics.jsonl')} is missing or empty; nothing to plot`);
  const charts = Object.fromEntries(trainingCharts(rows, String(s.unit ?? 'images')).map((c, i) => [`chart-${i}`, c]));
  const sections = [
    title(s),
    // the summary first: does pretraining beat the baselines, by how much, on how many test images
    verdict(s),
    header(s),
    `<h2>Training</h2><div class="grid">\n${Object.entries(charts).map(([id, c]) => chartBlock(id, c)).join('\n')}\n</div>`,
    evaluation(s),
    generations(s),
    figures(dir, s),
    `<h2>Config</h2>${configTable(s)}`,
  ];
  const path = reportPath(dir);
  writeFileSafe(path, page(`pretext: ${String(s.task)} on ${String(s.dataset)}`, sections, chartScripts(charts)));
  return path;
}
