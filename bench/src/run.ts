// The whole run: device with timestamps → ceilings → selected cases (each checked, then
// timed, then its tfjs peer) → a BenchReport.
import { execFileSync } from 'node:child_process';
import type { Gpu } from '@pretext/gpu';
import type { Tf } from '@pretext/kernels';
import type { LoadedCase } from './discover.js';
import { measureCase } from './measure.js';
import { applyCeilings, type BenchReport, CLOCKS, ceilingsFrom } from './report.js';
import { isTrainingCase } from './training/case.js';
import { measureStep } from './training/measure-step.js';

export interface RunConfig {
  reps: number;
  warmup: number;
  quick: boolean;
  /** Loads tfjs on first use; null: no peers. */
  tf: (() => Promise<Tf>) | null;
  log?: (line: string) => void;
}

export function gitCommit(cwd = process.cwd()): string {
  try {
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return dirty ? `${sha}-dirty` : sha;
  } catch {
    return 'unknown';
  }
}

export async function runBench(gpu: Gpu, cases: readonly LoadedCase[], cfg: RunConfig): Promise<BenchReport> {
  const needPeer = cfg.tf && cases.some((c) => c.case.peer);
  let tf: Tf | null = null;
  if (needPeer && cfg.tf) {
    try {
      tf = await cfg.tf();
    } catch (e) {
      cfg.log?.(`peer unavailable (tfjs webgpu): ${(e as Error).message}`);
    }
  }
  const report: BenchReport = {
    schema: 1,
    date: new Date().toISOString(),
    commit: gitCommit(),
    node: process.version,
    adapter: gpu.info,
    quick: cfg.quick,
    reps: cfg.reps,
    warmup: cfg.warmup,
    clocks: CLOCKS,
    ceilings: null,
    cases: [],
  };
  for (const { case: c } of cases) {
    cfg.log?.(`… ${c.name}`);
    const o = { reps: cfg.reps, warmup: cfg.warmup, quick: cfg.quick, tf };
    const r = isTrainingCase(c) ? await measureStep(c, gpu, o) : await measureCase(c, gpu, o);
    report.cases.push(r);
    if (r.status !== 'ok') cfg.log?.(`  ${r.status.toUpperCase()}: ${r.message ?? ''}`);
  }
  report.ceilings = ceilingsFrom(report.cases);
  applyCeilings(report.cases, report.ceilings);
  return report;
}
