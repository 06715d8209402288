// DIR/report.html from the files of a run (metrics.jsonl, summary.json, embedding.json, PNGs):
// training curves and the embedding map as inline SVG, images by relative path, so the page opens
// from disk in any browser with no server and no network.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EvalReport } from '@pretext/eval';
import type { EmbeddingMap } from './figures.js';
import { headline, headlineHtml } from './headline.js';
import { readMetrics, ROW_KEYS } from './metrics.js';
import { readSummary, type Summary } from './summary.js';
import { esc, linePlot, scatterPlot } from './svg.js';

/** What the common metric names mean, for plot titles. */
const METRIC_TITLES: Record<string, string> = {
  accuracy: 'top-1 of the pretext prediction (the positive, the permutation, …)',
  embeddingStd: 'collapse: std of normalised embeddings (≈1/√d healthy, 0 = collapse)',
};

export const reportPath = (dir: string): string => join(dir, 'report.html');

const pct = (v: number | undefined) => (v === undefined ? '—' : (100 * v).toFixed(1));
const num = (v: number | undefined, d = 3) => (v === undefined ? '—' : v.toFixed(d));

function evalTable(reports: readonly EvalReport[]): string {
  const fractions = [...new Set(reports.flatMap((r) => (r.fewLabel ?? []).map((f) => f.fraction)))].sort((a, b) => a - b);
  const tuned = [...new Set(reports.flatMap((r) => (r.fineTune ?? []).map((f) => f.fraction)))].sort((a, b) => a - b);
  const head = ['model', 'dim', 'linear top-1 %', 'kNN top-1 %', ...fractions.map((f) => `${+(100 * f).toFixed(2)}% labels %`), ...tuned.map((f) => `${+(100 * f).toFixed(2)}% labels, fine-tuned %`), 'alignment', 'uniformity', 'RankMe', 'recall@1 %'];
  const rows = reports.map((r) => [
    r.model, String(r.featureDim), pct(r.linear?.top1), pct(r.knn?.top1), ...fractions.map((f) => pct(r.fewLabel?.find((x) => x.fraction === f)?.top1)),
    ...tuned.map((f) => pct(r.fineTune?.find((x) => x.fraction === f)?.top1)),
    num(r.alignUniform?.alignment), num(r.alignUniform?.uniformity), num(r.rankMe, 1), pct(r.retrieval?.recallAt1),
  ]);
  const tr = (cells: string[], tag: string) => `<tr>${cells.map((c) => `<${tag}>${esc(c)}</${tag}>`).join('')}</tr>`;
  return `<table>${tr(head, 'th')}${rows.map((r) => tr(r, 'td')).join('')}</table>`;
}

function configTable(s: Summary): string {
  const rows = Object.entries(s.config).map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(JSON.stringify(v))}</td></tr>`);
  return `<table class="kv">${rows.join('')}</table>`;
}

/** "llvmpipe: Mesa … (dawn-node)": the description, plus the driver when it says something new. */
export function adapterLine(a: Summary['adapter']): string {
  const name = a.description || a.device;
  return `${name}${a.driver && !name.includes(a.driver) ? ` · ${a.driver}` : ''} (${a.backend})`;
}

/** Builds report.html; returns its path. Throws naming the file when a run file is missing or bad. */
export function writeReport(dir: string): string {
  const s = readSummary(dir);
  const rows = readMetrics(dir);
  if (!rows.length) throw new Error(`${join(dir, 'metrics.jsonl')} is missing or empty; nothing to plot`);
  const steps = rows.map((r) => r.step);
  const plot = (title: string, key: string, yLabel: string) =>
    linePlot(title, [{ name: key, xs: steps, ys: rows.map((r) => r[key]) }], { xLabel: 'step', yLabel });
  // the task's metrics, in the order its rows name them (loss first, lr and the pace last)
  const metrics = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((k) => !(ROW_KEYS as readonly string[]).includes(k) && k !== 'lr' && k !== 'loss');
  const unit = s.unit ?? 'images';

  const parts: string[] = [];
  parts.push(`<h1>${esc(s.task)} on ${esc(s.dataset)} (${esc(s.preset)})</h1>`);
  // the summary first: does pretraining beat the baselines, by how much, on how many test images
  const top = s.evaluations.at(-1);
  const h = top && headline(top.reports);
  if (h) parts.push(headlineHtml(h));
  parts.push(
    `<p class="meta">adapter: ${esc(adapterLine(s.adapter))} · commit ${esc(s.commit)} · ${s.steps} steps · training ${s.trainSeconds.toFixed(1)} s · ${(s.itemsPerSec ?? 0).toFixed(1)} ${esc(unit)}/s · finished ${esc(s.finishedAt)}</p>`,
  );
  if (s.final) parts.push(`<p>final step: ${Object.entries(s.final).map(([k, v]) => `${esc(k)} ${esc(v.toPrecision(4))}`).join(', ')}</p>`);

  parts.push('<h2>Training</h2><div class="grid">');
  parts.push(plot('loss', 'loss', 'loss'));
  for (const k of metrics) parts.push(plot(METRIC_TITLES[k.replace(/^.*\./, '')] ? `${k}: ${METRIC_TITLES[k.replace(/^.*\./, '')]}` : k, k, k));
  parts.push(plot('learning rate', 'lr', 'lr'));
  parts.push(plot('throughput', 'itemsPerSec', `${unit}/s`));
  parts.push('</div>');

  const ev = s.evaluations.at(-1);
  if (ev) {
    parts.push(`<h2>Evaluation</h2><p>${esc(ev.protocols.join(', '))} · ${esc(ev.at)} · ${ev.seconds.toFixed(1)} s. The first row is the trained encoder; the others are baselines run by the same code.</p>`);
    if (ev.pretext) {
      const shown = Object.entries(ev.pretext.metrics).map(([k, v]) => `${k} ${/accuracy$/.test(k) ? `${pct(v)}%` : num(v, 4)}`);
      parts.push(`<p>The pretext task on ${ev.pretext.items} held-out test images (eval mode, fixed augmentation seeds): ${esc(shown.join(', '))}.</p>`);
    }
    parts.push(evalTable(ev.reports));
  }

  const grid = s.figures.augmentationGrid;
  if (grid && existsSync(join(dir, grid.file))) {
    parts.push(`<h2>Augmentations</h2><p>${esc(grid.pipeline)} — rows: ${esc(grid.rows)}.${grid.description ? ` ${esc(grid.description)}` : ''}</p>`);
    parts.push(`<img class="pixel" src="${esc(grid.file)}" alt="augmentation grid">`);
  }
  const mapFile = s.figures.embeddingMap?.file;
  if (mapFile && existsSync(join(dir, mapFile))) {
    const m = JSON.parse(readFileSync(join(dir, mapFile), 'utf8')) as EmbeddingMap;
    parts.push(`<h2>Embedding map</h2><p>${esc(s.figures.embeddingMap?.method ?? '')}</p>`);
    parts.push(scatterPlot(m.title, m.x, m.y, m.labels, m.classes));
  }
  parts.push(`<h2>Config</h2>${configTable(s)}`);

  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(`pretext: ${s.task} on ${s.dataset}`)}</title>
<style>
body { font-family: sans-serif; margin: 24px; color: #222; max-width: 1200px; }
.meta { color: #555; }
.verdict { font-size: 1.15em; }
.verdict.yes { color: #1a6b1a; }
.verdict.no { color: #a33; }
.grid { display: flex; flex-wrap: wrap; gap: 12px; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
th:first-child, td:first-child, .kv th { text-align: left; }
img.pixel { image-rendering: pixelated; width: min(100%, 800px); }
</style></head><body>
${parts.join('\n')}
</body></html>
`;
  const path = reportPath(dir);
  writeFileSync(path, html);
  return path;
}
