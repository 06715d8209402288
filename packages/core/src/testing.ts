// Test helpers of @pretext/core (`@pretext/core/testing`): the one-owner-per-GPU-buffer check.
import { liveTensors } from './engine.js';

/** What the check reads after a round: the pool's handed-out buffers and bytes, and live tensors. */
export interface LiveCounts {
  buffers: number;
  bytes: number;
  tensors: number;
}

/** Anything with the pool's counters: a `Gpu` (`webgpuBackend(gpu).gpu`). */
export interface HasPoolStats {
  stats(): { liveBuffers: number; liveBytes: number };
}

/**
 * Runs `round` (build something, use it, dispose it) `rounds` times and throws unless the live
 * buffers, bytes and tensors after every round equal those after the first (the first may fill
 * caches). Returns the counts after each round.
 */
export async function expectNoLeak(gpu: HasPoolStats, round: (i: number) => unknown, rounds = 20, what = 'round'): Promise<LiveCounts[]> {
  if (!(Number.isInteger(rounds) && rounds >= 2)) throw new Error(`expectNoLeak: rounds must be an integer ≥ 2, got ${rounds}`);
  const counts: LiveCounts[] = [];
  for (let i = 0; i < rounds; i++) {
    await round(i);
    const s = gpu.stats();
    counts.push({ buffers: s.liveBuffers, bytes: s.liveBytes, tensors: liveTensors() });
  }
  const first = counts[0];
  const bad = counts.findIndex((c) => c.buffers !== first.buffers || c.bytes !== first.bytes || c.tensors !== first.tensors);
  if (bad >= 0) {
    const show = (k: keyof LiveCounts) => counts.map((c) => c[k]).join(', ');
    throw new Error(`${what} leaks: after round ${bad + 1} of ${rounds} the live counts differ from round 1's\n  buffers: ${show('buffers')}\n  bytes:   ${show('bytes')}\n  tensors: ${show('tensors')}`);
  }
  return counts;
}
