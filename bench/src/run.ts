// The whole run: device with timestamps → ceilings → selected cases (each checked, then
// timed, then its tfjs peer) → a BenchReport.
import { execFileSync } from 'node:child_process';
import type { Gpu } from '@pretext/gpu';
import type { Tf } from './case.js';
import type { LoadedCase } from './discover.js';
import { measureCase, passMs } from './measure.js';
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
  const adjacent = await adjacentCeiling(gpu, cases, cfg.quick);
  for (const { case: c } of cases) {
    cfg.log?.(`… ${c.name}`);
    const o = { reps: cfg.reps, warmup: cfg.warmup, quick: cfg.quick, tf, ...(adjacent && c.kernel !== 'ceiling' ? { ceiling: adjacent.measure } : {}) };
    const r = isTrainingCase(c) ? await measureStep(c, gpu, o) : await measureCase(c, gpu, o);
    report.cases.push(r);
    if (r.status !== 'ok') cfg.log?.(`  ${r.status.toUpperCase()}: ${r.message ?? ''}`);
  }
  adjacent?.dispose();
  report.ceilings = ceilingsFrom(report.cases);
  applyCeilings(report.cases, report.ceilings);
  return report;
}

/**
 * The first FMA ceiling case, set up once, as a function that runs it a few times now and returns
 * its best GFLOP/s: the harness calls it right before and after every case, so each case also
 * gets a ceiling measured under the same load (null without GPU timestamps).
 */
async function adjacentCeiling(gpu: Gpu, cases: readonly LoadedCase[], quick: boolean) {
  const c = cases.find((l) => l.case.kernel === 'ceiling' && l.case.name.includes('fma'))?.case;
  if (!c || !gpu.profiler.enabled) return null;
  const inst = await c.setup(gpu, { quick });
  return {
    async measure(): Promise<number | null> {
      let best = 0;
      for (let i = 0; i < 3; i++) {
        gpu.profiler.clear();
        inst.run();
        await gpu.sync();
        const ms = passMs(gpu);
        if (ms) best = Math.max(best, inst.flops / (ms * 1e6));
      }
      gpu.profiler.clear();
      return best || null;
    },
    dispose: () => inst.dispose(),
  };
}
