// `pnpm bench --report`: one self-contained HTML page (inline CSS and SVG, no scripts, nothing
// fetched) from a run — throughput per case against each peer (tfjs-webgpu, PyTorch CPU, ONNX
// Runtime), a roofline placing every kernel against the FMA and copy ceilings measured in that
// run, and the history of bench/results/ per adapter over commits.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchReport, CaseResult } from './report.js';
import { vsPeer } from './report.js';
import { esc, type RooflinePoint, rooflineSvg, sparklineSvg } from './roofline.js';

const f = (v: number | null | undefined, d: number) => (v == null || !Number.isFinite(v) ? '–' : v.toFixed(d));
const ratio = (v: number | null | undefined) => (v == null || !Number.isFinite(v) ? '–' : `${v.toFixed(2)}×`);
const pct = (v: number | null | undefined) => (v == null || !Number.isFinite(v) ? '–' : `${(100 * v).toFixed(1)}%`);
const short = (commit: string) => commit.slice(0, 7) + (commit.endsWith('-dirty') ? '+' : '');

/** Every schema-1 bench report among the JSON files of a results folder (others are skipped). */
export function loadHistory(dir: string): BenchReport[] {
  if (!existsSync(dir)) return [];
  const out: BenchReport[] = [];
  for (const file of readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
    try {
      const r = JSON.parse(readFileSync(join(dir, file), 'utf8')) as BenchReport;
      if (r.schema === 1 && Array.isArray(r.cases) && r.adapter) out.push(r);
    } catch {
      /* not a report */
    }
  }
  return out;
}

/** One row per case: what we did and what each peer did, on the clock the case compares. */
function throughputRows(r: BenchReport): string[] {
  return r.cases
    .filter((c) => c.kernel !== 'ceiling')
    .map((c) => {
      const t = c.training;
      const status = c.status === 'ok' ? '' : ` <span class="bad">${c.status.toUpperCase()}</span>`;
      if (t) {
        const tfjs = c.kernel === 'infer' ? null : t;
        const cpu = c.kernel === 'infer' ? t : null;
        const torch = t.torch;
        return row([
          `${esc(c.name)}${status}`,
          `${f(t.itemsPerSec, 1)} ${t.unit}/s`,
          tfjs?.peerItemsPerSec != null ? `${f(tfjs.peerItemsPerSec, 1)} ${t.unit}/s` : cell(c.kernel === 'infer' ? '' : (c.peer?.message ?? 'not run')),
          ratio(tfjs?.ratioItems),
          torch ? (torch.itemsPerSec != null ? `${f(torch.itemsPerSec, 1)} ${t.unit}/s` : cell(torch.message ?? 'not run')) : '',
          ratio(torch?.ratioItems),
          cpu?.peerItemsPerSec != null ? `${f(cpu.peerItemsPerSec, 1)} ${t.unit}/s (${ratio(cpu.ratioItems)})` : '',
          `${f(t.gflopsWall, 2)} GFLOP/s, ${pct(t.fmaFractionWall)} FMA`,
          esc(c.target ?? ''),
        ]);
      }
      return row([
        `${esc(c.name)}${status}`,
        `${f(c.gpuMs ?? c.wallMs, 3)} ms`,
        c.peer ? `${f(c.peer.gpuMs ?? c.peer.wallMs, 3)} ms` : '',
        vsPeer(c).replace('-', '–'),
        '',
        '',
        '',
        c.flops > 0 ? `${f(c.gflops, 2)} GFLOP/s, ${pct(c.fmaFraction)} FMA` : `${f(c.gbps, 2)} GB/s, ${pct(c.copyFraction)} copy`,
        esc(c.target ?? ''),
      ]);
    });
}

const row = (cells: string[]) => `<tr>${cells.map((x, i) => (i === 0 ? `<th scope="row">${x}</th>` : `<td>${x}</td>`)).join('')}</tr>`;
const cell = (why: string) => (why ? `<span class="why">${esc(why)}</span>` : '');

/** The roofline's points: every kernel case with FLOPs and bytes, and each training step's kernels. */
export function rooflinePoints(r: BenchReport): RooflinePoint[] {
  const pts: RooflinePoint[] = [];
  for (const c of r.cases) {
    if (c.kernel !== 'ceiling' && !c.training && c.status === 'ok' && c.flops > 0 && c.bytes > 0 && c.gflops != null) {
      pts.push({ name: c.name, intensity: c.flops / c.bytes, gflops: c.gflops, group: 'kernel cases' });
    }
    for (const k of c.training?.topKernels ?? []) {
      if (k.gflops > 0 && k.gbps > 0) pts.push({ name: `${k.kernel} (${c.name}: ${k.calls} calls, ${k.totalMs.toFixed(1)} ms)`, intensity: k.gflops / k.gbps, gflops: k.gflops, group: c.name.replace(/ step .*| encoder .*/, '') });
    }
  }
  return pts;
}

/** The number a case's history follows: items/s for whole steps, else GFLOP/s (or GB/s). */
function headline(c: CaseResult): { v: number; unit: string } | null {
  if (c.status !== 'ok') return null;
  if (c.training) return { v: c.training.itemsPerSec, unit: `${c.training.unit}/s` };
  if (c.flops > 0 && c.gflops != null) return { v: c.gflops, unit: 'GFLOP/s' };
  if (c.gbps != null) return { v: c.gbps, unit: 'GB/s' };
  return null;
}

/** Per adapter (device and driver), per case: its headline number over the stored runs, oldest first. */
function historySection(history: readonly BenchReport[]): string {
  const byAdapter = new Map<string, BenchReport[]>();
  for (const r of history) {
    const k = `${r.adapter.device} · ${r.adapter.driver}`;
    byAdapter.set(k, [...(byAdapter.get(k) ?? []), r]);
  }
  if (!byAdapter.size) return '<p>No stored results.</p>';
  const out: string[] = [];
  for (const [adapter, runs] of byAdapter) {
    runs.sort((a, b) => a.date.localeCompare(b.date));
    out.push(`<h3>${esc(adapter)}</h3>`, `<p>${runs.length} runs, ${esc(runs[0].date.slice(0, 10))} to ${esc(runs[runs.length - 1].date.slice(0, 10))}; hover a dot for its commit.</p>`);
    out.push('<table class="history"><thead><tr><th>series</th><th>runs</th><th>first</th><th>latest</th><th>over commits</th></tr></thead><tbody>');
    const series = new Map<string, { v: number; unit: string; label: string }[]>();
    const add = (name: string, v: number, unit: string, r: BenchReport) =>
      series.set(name, [...(series.get(name) ?? []), { v, unit, label: `${short(r.commit)} ${r.date.slice(0, 16)}${r.quick ? ' quick' : ''}: ${v.toPrecision(4)} ${unit}` }]);
    for (const r of runs) {
      if (r.ceilings) {
        add('FMA ceiling', r.ceilings.fmaGflops, 'GFLOP/s', r);
        add('copy ceiling', r.ceilings.copyGbps, 'GB/s', r);
      }
      for (const c of r.cases) {
        const h = c.kernel === 'ceiling' ? null : headline(c);
        if (h) add(c.name, h.v, h.unit, r);
        if (c.training?.torch?.ratioItems != null) add(`${c.name} ÷ PyTorch`, c.training.torch.ratioItems, '×', r);
      }
    }
    for (const [name, s] of series) {
      out.push(row([esc(name), String(s.length), `${s[0].v.toPrecision(4)} ${esc(s[0].unit)}`, `${s[s.length - 1].v.toPrecision(4)} ${esc(s[s.length - 1].unit)}`, sparklineSvg(s)]));
    }
    out.push('</tbody></table>');
  }
  return out.join('\n');
}

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1180px;color:#222;padding:0 16px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd}h3{font-size:15px}
table{border-collapse:collapse;margin:8px 0}td,th{border-bottom:1px solid #eee;padding:4px 8px;text-align:right;vertical-align:middle}
th[scope=row],thead th:first-child{text-align:left;font-weight:500}thead th{border-bottom:2px solid #ccc}
.why{color:#888;font-size:12px}.bad{color:#c00;font-weight:600}.meta{color:#555}
svg text{font:11px system-ui,sans-serif;fill:#444}.grid{stroke:#eee}.roof{fill:none;stroke:#222;stroke-width:2}
.roof-label{font-weight:600}.spark polyline{fill:none;stroke:#1f77b4;stroke-width:1.5}.spark circle{fill:#1f77b4}`;

/** The page for one run, with the stored runs as its history. */
export function benchHtml(r: BenchReport, history: readonly BenchReport[]): string {
  const a = r.adapter;
  const ceil = r.ceilings;
  const points = rooflinePoints(r);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Pretext bench · ${esc(a.device)} · ${esc(short(r.commit))}</title>
<style>${CSS}</style></head><body>
<h1>Pretext bench</h1>
<p class="meta">adapter <b>${esc(a.device)}</b> (${esc(a.vendor)}, ${esc(a.architecture)}, ${esc(a.backend)}) · driver ${esc(a.driver)} · commit ${esc(r.commit)} · ${esc(r.date)} · node ${esc(r.node)} · ${r.reps} reps${r.quick ? ' (quick)' : ''}<br>
ceilings measured in this run: ${ceil ? `FMA ${ceil.fmaGflops.toFixed(2)} GFLOP/s (${esc(ceil.fmaCase)}), copy ${ceil.copyGbps.toFixed(2)} GB/s` : 'none (no timestamps)'}</p>
<section id="throughput"><h2>Throughput against each peer</h2>
<p>Kernel cases: GPU ms per run, ours and tfjs-webgpu's on the same adapter (×: peer time over ours). Whole steps: items/s on the wall clock; PyTorch's steps run interleaved with ours in the same run; ONNX Runtime is the inference peer. Above 1× we are faster.</p>
<table><thead><tr><th>case</th><th>ours</th><th>tfjs-webgpu</th><th>× tfjs</th><th>PyTorch CPU</th><th>× PyTorch</th><th>ONNX Runtime</th><th>rate</th><th>target</th></tr></thead><tbody>
${throughputRows(r).join('\n')}
</tbody></table></section>
<section id="roofline"><h2>Roofline</h2>
<p>Each kernel by its declared FLOPs per declared byte and its GFLOP/s; the roofs are this run's copy ceiling (slanted) and FMA ceiling (flat). Training steps contribute their slowest kernels of the last step.</p>
${ceil ? rooflineSvg(points, ceil) : '<p>No ceilings in this run (the adapter has no timestamp-query), so no roofline.</p>'}
</section>
<section id="history"><h2>History of bench/results per adapter</h2>
${historySection(history)}
</section>
</body></html>
`;
}
