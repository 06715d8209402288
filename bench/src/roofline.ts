// The bench page's charts as inline SVG (no scripts, no network): a roofline placing each kernel
// by arithmetic intensity (FLOP per byte moved) and GFLOP/s under the adapter's measured FMA
// ceiling (flat) and copy ceiling (GB/s × FLOP/byte, the slanted roof), and a sparkline per series.

export interface RooflinePoint {
  name: string;
  /** Declared FLOPs over declared bytes of one launch. */
  intensity: number;
  gflops: number;
  /** Which group the point belongs to (a kernel case, a training step's kernel): its colour. */
  group: string;
}

export const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** 10^d as an axis label: 0.001 … 1000, then 1e-4, 1e4 (no float noise such as 0.00009999999999999999). */
export const decadeLabel = (d: number) => (d < -3 || d > 3 ? `1e${d}` : d < 0 ? (10 ** d).toFixed(-d) : String(10 ** d));

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2'];

/** Decades [lo, hi] (powers of ten) covering the values with some room. */
function decades(values: number[], minLo: number, minHi: number): [number, number] {
  const pos = values.filter((v) => v > 0 && Number.isFinite(v));
  const lo = Math.floor(Math.log10(Math.min(minLo, ...pos)));
  const hi = Math.ceil(Math.log10(Math.max(minHi, ...pos)));
  return [lo, hi === lo ? hi + 1 : hi];
}

/** The roofline as an SVG element: log-log axes, both roofs, one dot per point (hover: its numbers). */
export function rooflineSvg(points: readonly RooflinePoint[], ceilings: { fmaGflops: number; copyGbps: number }, width = 720, height = 420): string {
  const m = { l: 60, r: 150, t: 16, b: 44 };
  const ridge = ceilings.fmaGflops / ceilings.copyGbps; // FLOP/byte where the roofs meet
  const [x0, x1] = decades(points.map((p) => p.intensity), Math.min(0.01, ridge / 10), Math.max(100, ridge * 10));
  const [y0, y1] = decades(points.map((p) => p.gflops), ceilings.copyGbps * 10 ** x0, ceilings.fmaGflops * 2);
  const X = (v: number) => m.l + ((Math.log10(v) - x0) / (x1 - x0)) * (width - m.l - m.r);
  const Y = (v: number) => height - m.b - ((Math.log10(Math.max(v, 10 ** y0)) - y0) / (y1 - y0)) * (height - m.t - m.b);
  const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" class="roofline" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="roofline">`];
  for (let d = x0; d <= x1; d++) {
    out.push(`<line x1="${X(10 ** d)}" y1="${m.t}" x2="${X(10 ** d)}" y2="${height - m.b}" class="grid"/>`, `<text x="${X(10 ** d)}" y="${height - m.b + 16}" text-anchor="middle">${decadeLabel(d)}</text>`);
  }
  for (let d = y0; d <= y1; d++) {
    out.push(`<line x1="${m.l}" y1="${Y(10 ** d)}" x2="${width - m.r}" y2="${Y(10 ** d)}" class="grid"/>`, `<text x="${m.l - 6}" y="${Y(10 ** d) + 4}" text-anchor="end">${decadeLabel(d)}</text>`);
  }
  out.push(`<text x="${(m.l + width - m.r) / 2}" y="${height - 6}" text-anchor="middle">arithmetic intensity, FLOP / byte</text>`);
  out.push(`<text transform="translate(14 ${(m.t + height - m.b) / 2}) rotate(-90)" text-anchor="middle">GFLOP/s</text>`);
  // the roofs: copy GB/s × intensity up to the ridge, then the FMA ceiling
  const left = 10 ** x0;
  out.push(`<polyline class="roof" points="${X(left)},${Y(ceilings.copyGbps * left)} ${X(ridge)},${Y(ceilings.fmaGflops)} ${X(10 ** x1)},${Y(ceilings.fmaGflops)}"/>`);
  out.push(`<text class="roof-label" x="${X(10 ** x1) - 4}" y="${Y(ceilings.fmaGflops) - 6}" text-anchor="end">FMA ceiling ${ceilings.fmaGflops.toFixed(1)} GFLOP/s</text>`);
  out.push(`<text class="roof-label" x="${X(left) + 4}" y="${Y(ceilings.copyGbps * left) - 6}">copy ceiling ${ceilings.copyGbps.toFixed(2)} GB/s</text>`);
  const groups = [...new Set(points.map((p) => p.group))];
  for (const p of points) {
    if (!(p.intensity > 0 && p.gflops > 0)) continue;
    const roof = Math.min(ceilings.fmaGflops, ceilings.copyGbps * p.intensity);
    const c = COLOURS[groups.indexOf(p.group) % COLOURS.length];
    out.push(
      `<circle class="kernel" cx="${X(p.intensity).toFixed(1)}" cy="${Y(p.gflops).toFixed(1)}" r="4" fill="${c}"><title>${esc(p.name)}: ${p.gflops.toFixed(2)} GFLOP/s at ${p.intensity.toPrecision(3)} FLOP/byte, ${(100 * (p.gflops / roof)).toFixed(1)}% of the roof there</title></circle>`,
    );
  }
  groups.forEach((g, i) => {
    const y = m.t + 14 + 18 * i;
    out.push(`<circle cx="${width - m.r + 14}" cy="${y - 4}" r="4" fill="${COLOURS[i % COLOURS.length]}"/><text x="${width - m.r + 24}" y="${y}">${esc(g)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

/** A small line over runs in order, each dot titled with its label (commit, date, value). */
export function sparklineSvg(values: readonly { v: number; label: string }[], width = 220, height = 36): string {
  const ok = values.filter((p) => Number.isFinite(p.v));
  if (!ok.length) return '';
  const lo = Math.min(...ok.map((p) => p.v));
  const hi = Math.max(...ok.map((p) => p.v));
  const X = (i: number) => 4 + (ok.length === 1 ? (width - 8) / 2 : (i * (width - 8)) / (ok.length - 1));
  const Y = (v: number) => height - 4 - (hi === lo ? (height - 8) / 2 : ((v - lo) / (hi - lo)) * (height - 8));
  const pts = ok.map((p, i) => `${X(i).toFixed(1)},${Y(p.v).toFixed(1)}`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="spark" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<polyline points="${pts.join(' ')}"/>`,
    ...ok.map((p, i) => `<circle cx="${X(i).toFixed(1)}" cy="${Y(p.v).toFixed(1)}" r="2.5"><title>${esc(p.label)}</title></circle>`),
    '</svg>',
  ].join('');
}
