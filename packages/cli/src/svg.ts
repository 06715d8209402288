// Inline SVG plots for the report: line charts of the training curves and a scatter of the 2-D
// embedding map. Plain strings, no dependencies, so report.html opens anywhere without a network.

export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] as string);
}

/**
 * Round tick values in [lo, hi] (steps of 1, 2 or 5 × 10^k), as close to n of them as such steps
 * allow. (Taking the first step ≥ (hi − lo)/n could give as few as 2: a range just over 2 × 10^k·n
 * jumped to steps of 5 × 10^k.)
 */
export function niceTicks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo) || !Number.isFinite(hi - lo)) return Number.isFinite(lo) ? [lo] : [];
  const mag = 10 ** Math.floor(Math.log10((hi - lo) / n));
  const count = (step: number) => Math.floor(hi / step + 1e-9) - Math.ceil(lo / step - 1e-9) + 1;
  // (hi − lo)/n ∈ [mag, 10·mag): one of these steps gives between ~0.6·n and ~1.6·n ticks
  const step = [1, 2, 5, 10, 20].map((m) => m * mag).reduce((best, s) => (Math.abs(count(s) - n) < Math.abs(count(best) - n) ? s : best));
  const out: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) out.push(Number((k * step).toPrecision(12)));
  return out;
}

const fmtTick = (v: number) => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(1) : String(Number(v.toPrecision(4))));

export interface Series {
  name: string;
  xs: readonly number[];
  ys: readonly number[];
}

interface Frame {
  width: number;
  height: number;
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

const M = { left: 56, right: 12, top: 28, bottom: 36 };

function frame(f: Frame, title: string, xLabel: string, yLabel: string, ticks = true): { body: string[]; sx: (x: number) => number; sy: (y: number) => number } {
  const pw = f.width - M.left - M.right;
  const ph = f.height - M.top - M.bottom;
  const sx = (x: number) => M.left + ((x - f.x0) / (f.x1 - f.x0 || 1)) * pw;
  const sy = (y: number) => M.top + ph - ((y - f.y0) / (f.y1 - f.y0 || 1)) * ph;
  const body = [
    `<text x="${f.width / 2}" y="16" text-anchor="middle" font-weight="bold">${esc(title)}</text>`,
    `<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`,
    `<text x="${M.left + pw / 2}" y="${f.height - 4}" text-anchor="middle">${esc(xLabel)}</text>`,
    `<text x="12" y="${M.top + ph / 2}" text-anchor="middle" transform="rotate(-90 12 ${M.top + ph / 2})">${esc(yLabel)}</text>`,
  ];
  if (ticks) {
    for (const t of niceTicks(f.x0, f.x1)) body.push(`<line x1="${sx(t)}" x2="${sx(t)}" y1="${M.top + ph}" y2="${M.top + ph + 4}" stroke="#999"/><text x="${sx(t)}" y="${M.top + ph + 16}" text-anchor="middle">${fmtTick(t)}</text>`);
    for (const t of niceTicks(f.y0, f.y1)) body.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${sy(t)}" y2="${sy(t)}" stroke="#eee"/><text x="${M.left - 4}" y="${sy(t) + 4}" text-anchor="end">${fmtTick(t)}</text>`);
  }
  return { body, sx, sy };
}

const svg = (width: number, height: number, body: string[], cls: string) =>
  `<svg class="${cls}" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">${body.join('')}</svg>`;

function extent(vs: Iterable<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of vs) if (Number.isFinite(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  if (lo === Infinity) return [0, 1];
  if (lo === hi) return [lo - 0.5, hi + 0.5];
  const pad = (hi - lo) * 0.05;
  return [lo - pad, hi + pad];
}

/** A line chart of one or more series sharing axes. */
export function linePlot(title: string, series: readonly Series[], opts: { xLabel: string; yLabel: string; width?: number; height?: number }): string {
  const width = opts.width ?? 560;
  const height = opts.height ?? 260;
  const [x0, x1] = extent(series.flatMap((s) => s.xs));
  const [y0, y1] = extent(series.flatMap((s) => s.ys));
  const { body, sx, sy } = frame({ width, height, x0, x1, y0, y1 }, title, opts.xLabel, opts.yLabel);
  series.forEach((s, k) => {
    const pts = s.xs.map((x, i) => [x, s.ys[i]]).filter(([, y]) => Number.isFinite(y));
    const color = PALETTE[k % PALETTE.length];
    if (pts.length === 1) body.push(`<circle cx="${sx(pts[0][0]).toFixed(1)}" cy="${sy(pts[0][1]).toFixed(1)}" r="3" fill="${color}"/>`);
    else body.push(`<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${pts.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ')}"/>`);
    if (series.length > 1) body.push(`<text x="${width - M.right - 4}" y="${M.top + 14 + 13 * k}" text-anchor="end" fill="${color}">${esc(s.name)}</text>`);
  });
  return svg(width, height, body, 'plot');
}

/** Points coloured by class with a legend (the embedding map). */
export function scatterPlot(title: string, x: readonly number[], y: readonly number[], labels: readonly number[], classes: readonly string[], opts: { width?: number; height?: number } = {}): string {
  const width = opts.width ?? 720;
  const height = opts.height ?? 560;
  const legendW = 150;
  const [x0, x1] = extent(x);
  const [y0, y1] = extent(y);
  const { body, sx, sy } = frame({ width: width - legendW, height, x0, x1, y0, y1 }, title, 'UMAP 1', 'UMAP 2', false);
  for (let i = 0; i < x.length; i++) body.push(`<circle cx="${sx(x[i]).toFixed(1)}" cy="${sy(y[i]).toFixed(1)}" r="2.5" fill="${PALETTE[labels[i] % PALETTE.length]}" fill-opacity="0.75"/>`);
  classes.forEach((c, k) => {
    const ly = M.top + 14 * k + 8;
    body.push(`<circle cx="${width - legendW + 10}" cy="${ly - 4}" r="4" fill="${PALETTE[k % PALETTE.length]}"/><text x="${width - legendW + 20}" y="${ly}">${esc(c)}</text>`);
  });
  return svg(width, height, body, 'map');
}
