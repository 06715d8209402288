// Interactive curves for the report: each chart is a static SVG (svg.ts: what a page without
// scripts shows) that the inlined uPlot (a 50 kB MIT charting library, vendored from npm at build
// time, no network) replaces with a zoomable chart (drag to zoom, double-click to reset, hover for
// values). Chart data travels as JSON in a script element, every '<' escaped.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { linePlot, PALETTE, type Series } from './svg.js';

export interface Chart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
}

/** A chart's place on the page: the SVG fallback inside a div the script fills. */
export function chartBlock(id: string, c: Chart): string {
  return `<div class="chart" id="${id}">${linePlot(c.title, c.series, { xLabel: c.xLabel, yLabel: c.yLabel })}</div>`;
}

/** JSON safe inside <script>: no '<' (so no '</script>'), no U+2028/9. */
export function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Series on one x axis (uPlot's aligned data): the union of their x values, null where a series has none. */
export function aligned(series: readonly Series[]): { xs: number[]; ys: (number | null)[][] } {
  const xs = [...new Set(series.flatMap((s) => s.xs.filter(Number.isFinite)))].sort((a, b) => a - b);
  const at = new Map(xs.map((x, i) => [x, i]));
  const ys = series.map((s) => {
    const col: (number | null)[] = new Array(xs.length).fill(null);
    s.xs.forEach((x, i) => {
      const k = at.get(x);
      const y = s.ys[i];
      if (k !== undefined && typeof y === 'number' && Number.isFinite(y)) col[k] = y;
    });
    return col;
  });
  return { xs, ys };
}

const require = createRequire(import.meta.url);
let vendored: { js: string; css: string } | undefined;

/** uPlot's minified script and stylesheet, read from the installed package. */
function uplot(): { js: string; css: string } {
  vendored ??= {
    js: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  };
  return vendored;
}

/** The <style> and <script> elements that turn every chart block into a uPlot chart. */
export function chartScripts(charts: Record<string, Chart>): string {
  const { js, css } = uplot();
  const data = Object.fromEntries(Object.entries(charts).map(([id, c]) => [id, { title: c.title, xLabel: c.xLabel, yLabel: c.yLabel, names: c.series.map((s) => s.name), ...aligned(c.series) }]));
  const init = `(() => {
  const palette = ${scriptJson(PALETTE)};
  const charts = JSON.parse(document.getElementById('pretext-charts').textContent);
  for (const [id, c] of Object.entries(charts)) {
    const el = document.getElementById(id);
    if (!el || typeof uPlot === 'undefined') continue;
    el.textContent = '';
    new uPlot({
      title: c.title, width: 560, height: 280,
      scales: { x: { time: false } },
      cursor: { drag: { x: true, y: true, uni: 50 } },
      legend: { live: true },
      // 4 significant digits: uPlot's default rounds 0.0015 and 0.002 to the same label
      axes: [{ label: c.xLabel }, { label: c.yLabel, size: 64, values: (u, splits) => splits.map((v) => (v == null ? '' : String(+v.toPrecision(4)))) }],
      series: [{ label: c.xLabel }, ...c.names.map((n, i) => ({ label: n, stroke: palette[i % palette.length], width: 1.5, spanGaps: true, points: { show: c.xs.length < 3 } }))],
    }, [c.xs, ...c.ys], el);
  }
})();`;
  return `<style>${css.replace(/<\//g, '<\\/')}</style>
<script type="application/json" id="pretext-charts">${scriptJson(data)}</script>
<script>${js.replace(/<\/script/gi, '<\\/script')}</script>
<script>${init}</script>`;
}
