// Reports as a fixed-width text table: one row per model, one column per reported number.
import type { EvalReport } from './evaluate.js';

const pct = (v: number | undefined) => (v === undefined ? '—' : `${(100 * v).toFixed(1)}`);
const num = (v: number | undefined, d = 3) => (v === undefined ? '—' : v.toFixed(d));

export function reportTable(reports: readonly EvalReport[]): string {
  const fractions = [...new Set(reports.flatMap((r) => (r.fewLabel ?? []).map((f) => f.fraction)))].sort((a, b) => a - b);
  const tuned = [...new Set(reports.flatMap((r) => (r.fineTune ?? []).map((f) => f.fraction)))].sort((a, b) => a - b);
  const head = ['model', 'dim', 'linear', 'kNN', ...fractions.map((f) => `${+(100 * f).toFixed(2)}%`), ...tuned.map((f) => `ft ${+(100 * f).toFixed(2)}%`), 'align', 'unif', 'RankMe', 'R@1'];
  const rows = reports.map((r) => [
    r.model,
    String(r.featureDim),
    pct(r.linear?.top1),
    pct(r.knn?.top1),
    ...fractions.map((f) => pct(r.fewLabel?.find((x) => x.fraction === f)?.top1)),
    ...tuned.map((f) => pct(r.fineTune?.find((x) => x.fraction === f)?.top1)),
    num(r.alignUniform?.alignment),
    num(r.alignUniform?.uniformity),
    num(r.rankMe, 1),
    pct(r.retrieval?.recallAt1),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const title = reports.length ? `${reports[0].dataset}: top-1 % (linear, kNN, few-label probe, ft = fine-tuned), alignment/uniformity, RankMe, recall@1 %` : '';
  return [title, line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
