// The training section of the bench report: per step case, throughput on the wall clock, the
// FLOP rate against the FMA ceiling, submits per step, the peer, and the slowest kernels.
import type { BenchReport, Ceilings } from '../report.js';
import type { TrainingMetrics } from './measure-step.js';

const f = (v: number | null | undefined, d: number) => (v == null || !Number.isFinite(v) ? '-' : v.toFixed(d));
const pct = (v: number | null | undefined) => (v == null ? '-' : `${(100 * v).toFixed(1)}%`);

/** gflopsWall as a fraction of the run's FMA ceiling. */
export function applyTrainingCeilings(t: TrainingMetrics, ceilings: Ceilings | null, adjacentFmaGflops?: number): void {
  t.fmaFractionWall = ceilings ? t.gflopsWall / ceilings.fmaGflops : null;
  t.fmaFractionWallAdjacent = adjacentFmaGflops ? t.gflopsWall / adjacentFmaGflops : null;
}

/** The peer's short name: tfjs for training steps, the CPU peer's runtime for inference. */
const peerName = (c: BenchReport['cases'][number]) => (c.kernel === 'infer' ? (c.peer?.name.split(',')[0] ?? 'peer') : 'tfjs');

/** Lines for the console (and, prefixed, the markdown): empty when the run had no step cases. */
export function formatTraining(r: BenchReport, topN = 10): string[] {
  const rows = r.cases.filter((c) => c.training);
  if (!rows.length) return [];
  const out = ['training steps (wall clock: record → submit → GPU idle, no readback; FLOPs: the conv/matmul FLOPs of the model as direct convolution and matmul count them, backward = 2× forward):'];
  for (const c of rows) {
    const t = c.training as TrainingMetrics;
    out.push(
      `  ${c.name} [${t.batch}]: ${f(t.stepsPerSec, 3)} steps/s, ${f(t.itemsPerSec, 1)} ${t.unit}/s, ` +
        `${f(t.gflopsWall, 2)} GFLOP/s (${pct(t.fmaFractionWall)} of the run's FMA ceiling, ${pct(t.fmaFractionWallAdjacent)} of the one measured around the step; GPU-timestamp sum ${f(c.gflops, 2)} GFLOP/s), ` +
        `${f(t.submitsPerStep, 0)} submits and ${f(t.dispatchesPerStep, 0)} dispatches per step, load ${f(t.load[0], 1)}→${f(t.load[1], 1)}`,
    );
    if (t.executedGflopsWall != null) {
      const ceiling = t.fmaFractionWall ? t.gflopsWall / t.fmaFractionWall : null;
      out.push(`    as executed (the kernels' own FLOP counts, e.g. Winograd's fewer multiplies): ${f(t.executedGflopsWall, 2)} GFLOP/s (${pct(ceiling ? t.executedGflopsWall / ceiling : null)} of the run's FMA ceiling)`);
    }
    out.push(
      t.peerItemsPerSec != null
        ? `    ${peerName(c)}: ${f(t.peerStepsPerSec, 3)} steps/s, ${f(t.peerItemsPerSec, 1)} ${t.unit}/s → ours ${f(t.ratioItems, 2)}× (target ${c.target ?? '-'})`
        : `    ${peerName(c)}: ${c.peer?.message ?? 'not run'}`,
    );
    if (t.torch) {
      const p = t.torch;
      out.push(
        p.itemsPerSec != null
          ? `    ${p.name}, interleaved with ours: ${f(p.stepsPerSec, 3)} steps/s, ${f(p.itemsPerSec, 1)} ${t.unit}/s → ours ${f(p.ratioItems, 2)}×${p.message ? ` (${p.message})` : ''}`
          : `    ${p.name}: ${p.message ?? 'not run'}`,
      );
    }
    if (t.topKernels.length) {
      const total = t.topKernels.reduce((s, k) => s + k.totalMs, 0);
      out.push(`    top kernels by GPU time (last step, ${f(total, 1)} ms in all):`);
      for (const k of t.topKernels.slice(0, topN)) {
        out.push(`      ${k.kernel.padEnd(28)} ${String(k.calls).padStart(4)} calls ${f(k.totalMs, 1).padStart(9)} ms ${pct(k.totalMs / total).padStart(6)} ${f(k.gflops, 2).padStart(7)} GFLOP/s`);
      }
    }
  }
  return out;
}
