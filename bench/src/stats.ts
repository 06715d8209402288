// Timing loops. Host-side statistics (wall time) come from tinybench, fed each run's measured
// duration (run → onSubmittedWorkDone) through `overriddenDuration`; GPU samples are the
// timestamp-query durations collected alongside, summarised by their median.
import { Bench } from 'tinybench';

/** Median of a sample (null when empty). */
export function median(xs: readonly number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export interface WallStats {
  p50: number;
  rme: number;
  samples: number;
}

/** Runs `rep` exactly `reps` times (no warm-up here); `rep` returns its own wall ms. */
export async function timeReps(name: string, reps: number, rep: () => Promise<number>): Promise<WallStats> {
  const bench = new Bench({ name, iterations: reps, time: 0, warmup: false, throws: true });
  bench.add(name, async () => ({ overriddenDuration: await rep() }));
  await bench.run();
  const r = bench.tasks[0].result;
  if (r.state !== 'completed') throw new Error(`${name}: timing loop ${r.state}`);
  return { p50: r.latency.p50, rme: r.latency.rme, samples: r.latency.samplesCount };
}
