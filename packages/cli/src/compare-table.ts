// The table of a comparison (compare.json → Markdown and HTML): one row per task, then the
// baselines; linear probe, kNN, fine-tuning on 1% and 10% of the labels next to scratch, the
// pretext task on held-out data, training time and throughput; the best value of each column marked.
import { type EvalReport, LINEAR_PROBE_DEFAULTS, SELECT_MAX_ROWS } from '@pretext/eval';
import { trainingOptions } from '@pretext/tasks';
import { budgetText } from './compare-args.js';
import type { CompareResult, CompareRun } from './compare.js';
import { signedPoints } from './headline.js';
import { esc } from './svg.js';

interface Cell {
  text: string;
  /** The number the column ranks by (absent: not ranked). */
  value?: number;
}

interface Row {
  name: string;
  link?: string;
  cells: Cell[];
}

interface Column {
  head: string;
  /** Which end is best; absent: the column is not ranked. */
  best?: 'max' | 'min';
}

const pct = (v: number | undefined): Cell => (v === undefined ? { text: '—' } : { text: (100 * v).toFixed(1), value: v });
const labelsOf = (f: number) => `${+(100 * f).toFixed(2)}%`;
const duration = (s: number) => (s < 120 ? `${s.toFixed(0)} s` : `${(s / 60).toFixed(1)} min`);

function fractionsOf(res: CompareResult): number[] {
  const all = [...res.runs.flatMap((r) => r.report?.fineTune ?? []), ...res.baselines.flatMap((b) => b.fineTune ?? [])].map((f) => f.fraction);
  return [...new Set(all)].sort((a, b) => a - b);
}

/** The task's pretext metrics on held-out test images: its accuracies (a hybrid has one per objective), else its loss. */
function pretextCell(r: CompareRun): Cell {
  const m = r.pretext?.metrics;
  if (!m) return { text: '—' };
  const acc = Object.entries(m).filter(([k]) => /(^|\.)accuracy$/.test(k));
  if (acc.length) return { text: acc.map(([k, v]) => `${k === 'accuracy' ? '' : `${k.replace(/\.accuracy$/, '')} `}${(100 * v).toFixed(1)}%`).join(', ') };
  return { text: `loss ${m.loss.toFixed(3)}` };
}

function table(res: CompareResult): { columns: Column[]; rows: Row[] } {
  const fractions = fractionsOf(res);
  const columns: Column[] = [
    { head: 'method' },
    { head: 'linear', best: 'max' },
    { head: 'kNN', best: 'max' },
    ...fractions.map((f): Column => ({ head: `${labelsOf(f)} labels, fine-tuned (Δ scratch)`, best: 'max' })),
    { head: 'pretext task, held-out' },
    { head: 'training', best: 'min' },
    { head: 'images/s', best: 'max' },
  ];
  const delta = (v: number | undefined, s: number | undefined) => (v === undefined || s === undefined ? '' : ` (${signedPoints(v - s)})`);
  const rows: Row[] = res.runs.map((r) => {
    if (r.status !== 'trained' || !r.report) return { name: r.task, link: r.dir && r.status === 'failed' ? `${r.dir}/` : undefined, cells: [{ text: `${r.status}: ${r.why ?? ''}` }] };
    const ev = r.report;
    const ft = fractions.map((f): Cell => {
      const v = ev.fineTune?.find((x) => x.fraction === f)?.top1;
      return { ...pct(v), text: `${pct(v).text}${delta(v, r.scratch?.find((x) => x.fraction === f)?.top1)}` };
    });
    const time = r.trainSeconds === undefined ? { text: '—' } : { text: `${duration(r.trainSeconds)}${r.timeUp ? ` (${r.steps}/${r.plannedSteps} steps)` : ''}`, value: r.trainSeconds };
    const rate = r.itemsPerSec === undefined ? { text: '—' } : { text: r.itemsPerSec.toFixed(0), value: r.itemsPerSec };
    return { name: r.ownBaselines ? `${r.task} ‡` : r.task, link: `${r.dir}/report.html`, cells: [pct(ev.linear?.top1), pct(ev.knn?.top1), ...ft, pretextCell(r), time, rate] };
  });
  const baselineRow = (b: EvalReport): Row => {
    const name = b.baseline === 'random-init' ? 'random init (fine-tuned: from scratch)' : b.baseline === 'raw-pixels' ? 'raw pixels (few labels: logistic regression)' : b.model;
    // raw pixels cannot be fine-tuned: their column shows logistic regression on the same labels
    const ft = fractions.map((f) => pct((b.baseline === 'raw-pixels' ? b.fewLabel : b.fineTune)?.find((x) => x.fraction === f)?.top1));
    return { name, cells: [pct(b.linear?.top1), pct(b.knn?.top1), ...ft, { text: '—' }, { text: '—' }, { text: '—' }] };
  };
  rows.push(...res.baselines.map(baselineRow));
  return { columns, rows };
}

/** Index of the best row per ranked column. */
function bests(columns: Column[], rows: Row[]): Map<number, number[]> {
  const out = new Map<number, number[]>();
  columns.forEach((c, ci) => {
    if (!c.best || ci === 0) return;
    const vals = rows.map((r) => r.cells[ci - 1]?.value);
    const known = vals.filter((v): v is number => v !== undefined);
    if (!known.length) return;
    const best = c.best === 'max' ? Math.max(...known) : Math.min(...known);
    out.set(ci, vals.flatMap((v, ri) => (v === best ? [ri] : [])));
  });
  return out;
}

function header(res: CompareResult): string[] {
  const shared = Object.entries(res.shared).filter(([, v]) => v !== undefined).map(([k, v]) => `${k} ${String(v)}`).join(', ');
  const trained = res.runs.filter((r) => r.status === 'trained').length;
  const [methods, each] = trained === 1 ? ['method', ''] : ['methods', ' each'];
  return [
    `${res.dataset}: ${trained} ${methods}, ${budgetText(res.budget)} of training${each} (${res.preset} presets), ${res.nTrain} train / ${res.nTest} test images`,
    `Command: \`${res.command}\``,
    `Commit ${res.commit} · adapter ${res.adapter} · ${res.startedAt} → ${res.finishedAt}`,
    `Shared by every method: ${shared}.`,
  ];
}

const NOTES = [
  'Pretext task, held-out: the method\'s own objective on test images (eval mode, fixed augmentation seeds); accuracies are not comparable across methods (chance: rotation 25%, context 12.5%, jigsaw 1/P, contrastive 1/(2N − 1)).',
  'Training: wall time of the training loop on this adapter (the machine may have been shared); images/s: training throughput. Best of each ranked column in bold.',
];

/** The notes under a table: what the columns mean, and ‡ where a method's encoder differs. */
function notes(res: CompareResult): string[] {
  const encoderLr = res.shared.finetuneEncoderLr ?? trainingOptions.finetuneEncoderLr.default;
  // runs from before probeSelect existed (no such key) trained one probe at the default decay
  const decay = res.shared.probeSelect === true ? `its weight decay chosen on held-out train labels wherever there are ≤ ${SELECT_MAX_ROWS} of them` : `weight decay ${LINEAR_PROBE_DEFAULTS.weightDecay}`;
  const columns = `Top-1 % on the test images. Linear (and raw pixels' few-label cells): logistic regression on frozen features, ${decay}; kNN: cosine, k = 200. Fine-tuned: a copy of the encoder + a linear head trained end to end on a class-balanced fraction of the train labels (crop + flip, encoder at ${String(encoderLr)}× the head's lr); Δ scratch: minus the same network trained from random init on the same labels and steps.`;
  const own = res.runs.filter((r) => r.ownBaselines).map((r) => r.task);
  return [columns, ...NOTES, ...(own.length ? [`‡ ${own.join(', ')}: a different encoder than the first method's; Δ scratch is against its own scratch run, and its baselines are in its report.`] : [])];
}

/** The comparison as Markdown; `linkBase` is put before the links to the runs (a page elsewhere). */
export function compareMarkdown(res: CompareResult, linkBase = ''): string {
  const { columns, rows } = table(res);
  const best = bests(columns, rows);
  const cell = (ri: number, ci: number, c: Cell | undefined) => {
    const t = (c?.text ?? '').replace(/\|/g, '\\|');
    return best.get(ci)?.includes(ri) ? `**${t}**` : t;
  };
  const lines = rows.map((r, ri) => `| ${r.link ? `[${r.name}](${linkBase}${r.link})` : r.name} | ${columns.slice(1).map((_, k) => cell(ri, k + 1, r.cells[k])).join(' | ')} |`);
  return [
    `## ${header(res)[0]}`,
    '',
    ...header(res).slice(1).map((l) => `${l}  `),
    '',
    `| ${columns.map((c) => c.head).join(' | ')} |`,
    `|${columns.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`,
    ...lines,
    '',
    ...notes(res).map((n) => `- ${n}`),
    '',
  ].join('\n');
}

export function compareHtml(res: CompareResult): string {
  const { columns, rows } = table(res);
  const best = bests(columns, rows);
  const td = (ri: number, ci: number, c: Cell | undefined) => `<td>${best.get(ci)?.includes(ri) ? `<b>${esc(c?.text ?? '')}</b>` : esc(c?.text ?? '')}</td>`;
  const body = rows.map((r, ri) => `<tr><td>${r.link ? `<a href="${esc(r.link)}">${esc(r.name)}</a>` : esc(r.name)}</td>${columns.slice(1).map((_, k) => td(ri, k + 1, r.cells[k])).join('')}</tr>`);
  const [title, ...meta] = header(res);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(`pretext compare: ${res.dataset}`)}</title>
<style>
body { font-family: sans-serif; margin: 24px; color: #222; max-width: 1200px; }
.meta { color: #555; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
</style></head><body>
<h1>${esc(title)}</h1>
${meta.map((l) => `<p class="meta">${esc(l.replace(/`/g, ''))}</p>`).join('\n')}
<table><tr>${columns.map((c) => `<th>${esc(c.head)}</th>`).join('')}</tr>
${body.join('\n')}
</table>
<ul>${notes(res).map((n) => `<li>${esc(n)}</li>`).join('')}</ul>
</body></html>
`;
}
