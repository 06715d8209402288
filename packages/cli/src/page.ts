// The report's page: one self-contained HTML file (images as data: URIs, charts and their library
// inlined), and the formatting every value from a run's files goes through — escaped, whatever
// type a hand-edited summary.json puts there.
import { readInside } from './safe-fs.js';
import { esc } from './svg.js';

/** Any value as escaped text. */
export const text = (v: unknown): string => esc(typeof v === 'string' ? v : v === undefined || v === null ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v));
/** A number with d decimals; anything else as escaped text. */
export const fixed = (v: unknown, d: number): string => (typeof v === 'number' ? v.toFixed(d) : text(v));
/** A fraction as a percentage with one decimal. */
export const pct = (v: unknown): string => (typeof v === 'number' ? (100 * v).toFixed(1) : text(v));
/** A list from JSON, or [] for anything else. */
export const list = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);

/** A PNG of the run directory as a data: URI (undefined when the name is not a plain file there). */
export function pngUri(dir: string, file: unknown): string | undefined {
  const bytes = readInside(dir, file);
  return bytes && `data:image/png;base64,${bytes.toString('base64')}`;
}

export const STYLE = `body { font-family: sans-serif; margin: 24px; color: #222; max-width: 1200px; }
.meta { color: #555; }
.verdict { font-size: 1.15em; }
.verdict.yes { color: #1a6b1a; }
.verdict.no { color: #a33; }
.grid { display: flex; flex-wrap: wrap; gap: 12px; }
.chart { min-width: 560px; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
th:first-child, td:first-child, .kv th { text-align: left; }
td.best { font-weight: bold; background: #eef6ee; }
img.pixel { image-rendering: pixelated; width: min(100%, 800px); }
pre.sample { white-space: pre-wrap; background: #f6f6f6; padding: 8px; max-width: 900px; }`;

/** The whole page: title (escaped here), sections (already escaped HTML), scripts at the end. */
export function page(title: string, sections: readonly string[], scripts = ''): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
${STYLE}
</style></head><body>
${sections.filter(Boolean).join('\n')}
${scripts}
</body></html>
`;
}
