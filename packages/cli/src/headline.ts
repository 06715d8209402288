// The first lines of a run's report: does pretraining beat the baselines, by how much, on how many
// test images. One row per measure — the linear probe (next to raw pixels, the random-init encoder
// and the supervised one) and fine-tuning on each labelled fraction (next to the same network from
// scratch and to raw pixels' logistic regression on the same labels) — with the best value marked.
import type { EvalReport } from '@pretext/eval';
import { esc } from './svg.js';

export interface HeadlineRow {
  measure: string;
  ours: number;
  /** Reference values by column (raw pixels and random init are the bars; supervised only informs). */
  refs: { column: Column; name: string; value: number }[];
}

export type Column = 'raw pixels' | 'random init' | 'supervised';
export const COLUMNS: readonly Column[] = ['raw pixels', 'random init', 'supervised'];
/** The baselines pretraining must beat; the supervised encoder saw every label and is a ceiling, not a bar. */
const BARS: readonly Column[] = ['raw pixels', 'random init'];

export interface Headline {
  model: string;
  nTest: number;
  /** One standard error of a top-1 on nTest images, in points, at our linear-probe accuracy. */
  stdErr: number;
  rows: HeadlineRow[];
  /** True when ours is above every bar (raw pixels, random init / scratch) on every row. */
  beats: boolean;
  verdict: string;
}

const pct = (v: number) => (100 * v).toFixed(1);
/** A difference of fractions in signed points, '+1.2' / '−0.4'; a gap under 0.05 points shows two decimals, never '−0.0'. */
export const signedPoints = (d: number): string => {
  const points = Math.abs(100 * d);
  return `${d >= 0 ? '+' : '−'}${points.toFixed(points > 0 && points < 0.05 ? 2 : 1)}`;
};
const labelsOf = (f: number) => `${+(100 * f).toFixed(2)}% labels`;

/** The headline of an evaluation (the trained encoder first, then baselines); null without a linear probe or baselines. */
export function headline(reports: readonly EvalReport[]): Headline | null {
  const [ours, ...rest] = reports;
  const by = (b: EvalReport['baseline']) => rest.find((r) => r.baseline === b);
  const raw = by('raw-pixels');
  const rand = by('random-init');
  const sup = by('supervised');
  if (!ours?.linear || !(raw?.linear || rand?.linear)) return null;
  const rows: HeadlineRow[] = [];
  const ref = (column: Column, name: string, value: number | undefined) => (value === undefined ? [] : [{ column, name, value }]);
  rows.push({
    measure: 'linear probe',
    ours: ours.linear.top1,
    refs: [...ref('raw pixels', 'raw pixels', raw?.linear?.top1), ...ref('random init', 'random init', rand?.linear?.top1), ...ref('supervised', 'supervised', sup?.linear?.top1)],
  });
  for (const ft of ours.fineTune ?? []) {
    const scratch = rand?.fineTune?.find((x) => x.fraction === ft.fraction)?.top1;
    const pixels = raw?.fewLabel?.find((x) => x.fraction === ft.fraction)?.top1;
    rows.push({ measure: `${labelsOf(ft.fraction)}, fine-tuned`, ours: ft.top1, refs: [...ref('raw pixels', 'logistic regression on raw pixels', pixels), ...ref('random init', 'scratch', scratch)] });
  }
  const bars = rows.flatMap((r) => r.refs.filter((x) => BARS.includes(x.column)).map((x) => ({ row: r, x })));
  const beats = bars.length > 0 && bars.every(({ row, x }) => row.ours > x.value);
  const stdErr = 100 * Math.sqrt((ours.linear.top1 * (1 - ours.linear.top1)) / ours.nTest);
  const model = ours.model.replace(/ \(ours\)$/, '');
  const parts = rows.map((r) => {
    const deltas = r.refs.filter((x) => BARS.includes(x.column)).map((x) => `${signedPoints(r.ours - x.value)} vs ${x.name} ${pct(x.value)}%`);
    return `${r.measure} ${pct(r.ours)}%${deltas.length ? ` (${deltas.join(', ')})` : ''}`;
  });
  const lost = bars.filter(({ row, x }) => row.ours <= x.value).map(({ row, x }) => `${x.name} on ${row.measure} (${signedPoints(row.ours - x.value)})`);
  const verdict = `${beats ? `Pretraining helps: ${model} beats raw pixels and the random-init encoder on each headline measure:` : `Pretraining does not beat every baseline: ${model} trails ${lost.join(' and ')}.`} ${parts.join('; ')}. On ${ours.nTest} test images: one standard error ≈ ${stdErr.toFixed(1)} points, so gaps under ~${(2 * stdErr).toFixed(1)} are noise.`;
  return { model, nTest: ours.nTest, stdErr, rows, beats, verdict };
}

/** The best value of a row (ours or a reference). */
const best = (r: HeadlineRow) => Math.max(r.ours, ...r.refs.map((x) => x.value));

/** The headline as text: the verdict, then a small table with the best of each row starred. */
export function headlineText(h: Headline): string {
  const head = ['', `${h.model} (ours)`, ...COLUMNS];
  const cell = (r: HeadlineRow, v: number | undefined) => (v === undefined ? '—' : `${pct(v)}${v === best(r) ? ' *' : '  '}`);
  const rows = h.rows.map((r) => [r.measure, cell(r, r.ours), ...COLUMNS.map((c) => cell(r, r.refs.find((x) => x.column === c)?.value))]);
  const widths = head.map((x, i) => Math.max(x.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [h.verdict, '', line(head), ...rows.map(line), '(top-1 %, * best of the row; fine-tuned rows: random init = the same network from scratch, raw pixels = logistic regression on the same labels)'].join('\n');
}

/** The headline as the report's first section: the verdict, then the table with the best of each row in bold. */
export function headlineHtml(h: Headline): string {
  const cell = (r: HeadlineRow, v: number | undefined) => (v === undefined ? '<td>—</td>' : v === best(r) ? `<td><b>${pct(v)}</b></td>` : `<td>${pct(v)}</td>`);
  const rows = h.rows.map((r) => `<tr><th>${esc(r.measure)}</th>${cell(r, r.ours)}${COLUMNS.map((c) => cell(r, r.refs.find((x) => x.column === c)?.value)).join('')}</tr>`);
  return [
    `<p class="verdict ${h.beats ? 'yes' : 'no'}">${esc(h.verdict)}</p>`,
    `<table class="headline"><tr><th>top-1 %</th><th>${esc(h.model)} (ours)</th>${COLUMNS.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>${rows.join('')}</table>`,
    '<p class="meta">Best of each row in bold. Fine-tuned rows: "random init" is the same network trained from scratch on the same labels and steps; "raw pixels" is logistic regression on the same labels.</p>',
  ].join('\n');
}
