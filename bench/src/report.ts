// What one `pnpm bench` run records: the machine (adapter, driver, features, limits, commit,
// date, node), the adapter's ceilings measured in the same run, and one row per case.
import type { AdapterSummary } from '@pretext/gpu';
import type { TrainingMetrics } from './training/measure-step.js';
import { applyTrainingCeilings, formatTraining } from './training/report.js';

export interface Ceilings {
  /** Best of the FMA-chain variants, GFLOP/s (GPU timestamps). */
  fmaGflops: number;
  fmaCase: string;
  /** vec4 copy, GB/s counting bytes read + written. */
  copyGbps: number;
}

export interface PeerResult {
  name: string;
  /** Median wall ms, run() → submit → onSubmittedWorkDone (no readback). */
  wallMs: number | null;
  /** Median of tf.time(run).kernelMs: sum of tfjs's per-program timestamped passes. */
  gpuMs: number | null;
  /** tf.memory().numBytesAllocatedInGPU grown by one run (or what the case measured). */
  memoryBytes?: number;
  message?: string;
}

export interface CaseResult {
  name: string;
  kernel: string;
  target?: string;
  /** ok: checked and timed; fail: check() above tolerance (not timed); error: threw. */
  status: 'ok' | 'fail' | 'error';
  /** check(): relative error vs the CPU reference. */
  error: number | null;
  tolerance: number;
  message?: string;
  flops: number;
  bytes: number;
  reps: number;
  /** Median GPU ms per run(): sum of the run's timestamped passes. */
  gpuMs: number | null;
  /** Fastest rep's GPU ms (the ceilings use it: a ceiling is the best the adapter did). */
  gpuMinMs: number | null;
  /** Median wall ms per run(): run() → submit → onSubmittedWorkDone (tinybench statistics). */
  wallMs: number | null;
  /** tinybench's relative margin of error of the wall mean, %. */
  wallRme: number | null;
  gflops: number | null;
  gbps: number | null;
  /** gflops / FMA ceiling and gbps / copy ceiling (0..1). */
  fmaFraction: number | null;
  copyFraction: number | null;
  /** The FMA ceiling measured right before and right after this case (best of the two), GFLOP/s. */
  adjacentFmaGflops?: number;
  /** gflops / adjacentFmaGflops: the fraction with the machine's load at the time of the case. */
  fmaFractionAdjacent?: number | null;
  /** GPU bytes the case allocated for one run (its workspaceBytes, else pool growth). */
  memoryBytes?: number;
  peer?: PeerResult;
  /** Training-step cases (kernel 'train'): steps/s, items/s, submits per step, top kernels. */
  training?: TrainingMetrics;
  /** peer time / our time, same clock on both sides (> 1: we are faster). */
  ratioGpu: number | null;
  ratioWall: number | null;
}

export interface BenchReport {
  schema: 1;
  date: string;
  commit: string;
  node: string;
  adapter: AdapterSummary;
  quick: boolean;
  reps: number;
  warmup: number;
  /** What the columns compare, in words. */
  clocks: string;
  ceilings: Ceilings | null;
  cases: CaseResult[];
}

/** What the fraction and memory columns mean. */
export const COLUMNS =
  '%FMA: GFLOP/s over the run\'s FMA ceiling (best rep of the ceiling cases at the start); %FMA adj: over the FMA ceiling measured ' +
  'right before and after the case (best of the two), which follows the machine\'s load. mem: GPU bytes one run allocates ' +
  '(ours: the kernel\'s workspace, inputs and outputs excluded, or pool growth; peer: tf.profile peakBytes or tf.memory growth).';

export const CLOCKS =
  'ours: GPU = sum of timestamp-query pass durations per run(); wall = run() → submit → onSubmittedWorkDone. ' +
  'peer: GPU = tf.time kernelMs (tfjs timestamps each program); wall = run() → submitQueue → onSubmittedWorkDone. ' +
  '×peer = peer ms / our ms on the same clock (GPU when both sides have it, else wall). No readback on either side.';

/**
 * Ceilings from the ceiling cases of this run (kernel 'ceiling'): the best FMA variant and the
 * copy, each at its fastest rep (on a shared machine the median carries other load).
 */
export function ceilingsFrom(cases: readonly CaseResult[]): Ceilings | null {
  const best = (c: CaseResult) => c.gpuMinMs ?? c.gpuMs ?? c.wallMs ?? Number.NaN;
  const ok = cases.filter((c) => c.kernel === 'ceiling' && c.status === 'ok' && best(c) > 0);
  const fma = ok
    .filter((c) => c.flops > 0)
    .map((c) => ({ c, gflops: c.flops / (best(c) * 1e6) }))
    .sort((a, b) => b.gflops - a.gflops)[0];
  const copy = ok.find((c) => c.flops === 0 && c.bytes > 0);
  if (!fma || !copy) return null;
  return { fmaGflops: fma.gflops, fmaCase: fma.c.name, copyGbps: copy.bytes / (best(copy) * 1e6) };
}

/** Fills the fraction-of-ceiling columns in place. */
export function applyCeilings(cases: CaseResult[], ceilings: Ceilings | null): void {
  for (const c of cases) {
    c.fmaFraction = ceilings && c.gflops != null && c.flops > 0 ? c.gflops / ceilings.fmaGflops : null;
    c.fmaFractionAdjacent = c.adjacentFmaGflops && c.gflops != null && c.flops > 0 ? c.gflops / c.adjacentFmaGflops : null;
    c.copyFraction = ceilings && c.gbps != null && c.bytes > 0 ? c.gbps / ceilings.copyGbps : null;
    if (c.training) applyTrainingCeilings(c.training, ceilings, c.adjacentFmaGflops);
  }
}

/** 'llvmpipe (LLVM 19.1.7, 256 bits)' → 'llvmpipe-llvm-19.1.7-256-bits', safe in a file name. */
export function adapterSlug(a: Pick<AdapterSummary, 'device' | 'description' | 'vendor'>): string {
  const s = (a.device || a.description || a.vendor || 'unknown').toLowerCase().replace(/[^a-z0-9.]+/g, '-').replace(/^-+|-+$/g, '');
  return s.slice(0, 60) || 'unknown';
}

export function resultBaseName(a: AdapterSummary, date: string): string {
  return `${adapterSlug(a)}-${date.slice(0, 10)}`;
}

const f = (v: number | null | undefined, digits: number) => (v == null || !Number.isFinite(v) ? '-' : v.toFixed(digits));
const pct = (v: number | null | undefined) => (v == null ? '-' : `${(100 * v).toFixed(1)}%`);
const sci = (v: number | null) => (v == null ? '-' : v === 0 ? '0' : v.toExponential(1));

/** 81920 → '80.0 KiB' */
export function bytes(v: number | null | undefined): string {
  if (v == null || !Number.isFinite(v)) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let x = v;
  let u = 0;
  while (Math.abs(x) >= 1024 && u < units.length - 1) {
    x /= 1024;
    u++;
  }
  return u === 0 ? `${x} B` : `${x.toFixed(1)} ${units[u]}`;
}

/** 'ours / peer' GPU bytes for one run, when the case measured them. */
function memory(c: CaseResult): string {
  if (!c.memoryBytes && c.peer?.memoryBytes == null) return '-';
  return `${bytes(c.memoryBytes)} / ${bytes(c.peer?.memoryBytes)}`;
}

/** ×peer as printed: the ratio and which clock it compares. */
export function vsPeer(c: CaseResult): string {
  if (c.ratioGpu != null) return `${c.ratioGpu.toFixed(2)}× gpu`;
  if (c.ratioWall != null) return `${c.ratioWall.toFixed(2)}× wall`;
  return '-';
}

function rows(r: BenchReport): string[][] {
  return r.cases.map((c) => [
    c.name,
    c.status === 'ok' ? 'ok' : c.status.toUpperCase(),
    f(c.gpuMs, 3),
    f(c.wallMs, 3),
    f(c.gflops, 2),
    f(c.gbps, 2),
    pct(c.fmaFraction),
    pct(c.fmaFractionAdjacent),
    pct(c.copyFraction),
    c.peer ? f(c.peer.gpuMs, 3) : '-',
    c.peer ? f(c.peer.wallMs, 3) : '-',
    vsPeer(c),
    memory(c),
    sci(c.error),
  ]);
}

const HEAD = ['case', 'check', 'gpu ms', 'wall ms', 'GFLOP/s', 'GB/s', '%FMA', '%FMA adj', '%copy', 'peer gpu ms', 'peer wall ms', '×peer', 'mem ours / peer', 'err'];

function header(r: BenchReport): string[] {
  const a = r.adapter;
  const ceil = r.ceilings
    ? `ceilings: FMA ${r.ceilings.fmaGflops.toFixed(2)} GFLOP/s (${r.ceilings.fmaCase}), copy ${r.ceilings.copyGbps.toFixed(2)} GB/s`
    : 'ceilings: not measured';
  return [
    `adapter: ${a.device} | vendor ${a.vendor} | arch ${a.architecture} | ${a.backend}`,
    `driver: ${a.driver}`,
    `commit: ${r.commit} | ${r.date} | node ${r.node} | reps ${r.reps}${r.quick ? ' (quick)' : ''}`,
    ceil,
  ];
}

/** The console table. */
export function formatTable(r: BenchReport): string {
  const body = rows(r);
  const w = HEAD.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (row: string[]) => row.map((cell, i) => (i === 0 ? cell.padEnd(w[i]) : cell.padStart(w[i]))).join('  ');
  const notes = r.cases.filter((c) => c.message || c.peer?.message).map((c) => `  ${c.name}: ${[c.message, c.peer?.message].filter(Boolean).join('; ')}`);
  const training = formatTraining(r);
  return [...header(r), '', line(HEAD), ...body.map(line), '', `clocks: ${r.clocks}`, `columns: ${COLUMNS}`, ...(notes.length ? ['notes:', ...notes] : []), ...(training.length ? ['', ...training] : [])].join('\n');
}

/** The markdown table written next to the JSON. */
export function formatMarkdown(r: BenchReport): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [
    `# Kernel bench: ${r.adapter.device}`,
    '',
    ...header(r).map((h) => `- ${esc(h)}`),
    '',
    `| ${HEAD.join(' | ')} |`,
    `|${HEAD.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
    ...rows(r).map((row) => `| ${row.map(esc).join(' | ')} |`),
    '',
    `Clocks: ${r.clocks}`,
    '',
    `Columns: ${COLUMNS}`,
    '',
    ...(formatTraining(r).length ? ['```', ...formatTraining(r), '```', ''] : []),
  ].join('\n');
}
