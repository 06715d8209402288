// The soak: thousands of real training steps (SimCLR through the trainer: steps, metrics rows,
// a checkpoint every few steps) with the live GPU-buffer count, the buffers ever created, and the
// process memory sampled as it goes. Flat means: after warm-up, the live buffers never change,
// no buffer is created any more (the pool serves every step), and RSS and heap stop growing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { runTraining, runInfo } from '@pretext/cli';
import { useWebGpu } from '@pretext/core';
import { TASKS } from '@pretext/tasks';

export { destroyGpu } from '@pretext/gpu';

export interface Sample {
  step: number;
  liveBuffers: number;
  buffersCreated: number;
  rssMB: number;
  heapMB: number;
}

export interface SoakReport {
  steps: number;
  samples: Sample[];
  /** Growth from the first sample after warm-up to the last. */
  growth: { liveBuffers: number; buffersCreated: number; rssMB: number; heapMB: number };
  seconds: number;
}

// a full collection before each sample, so the heap figure is what is live, not garbage not yet
// collected (node's --expose-gc, switched on from here so vitest workers have it too)
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

export async function soak(o: { steps: number; every?: number; warmup?: number; log?: (l: string) => void }): Promise<SoakReport> {
  const log = o.log ?? (() => {});
  const every = o.every ?? Math.max(1, Math.round(o.steps / 20));
  const warmup = o.warmup ?? Math.min(100, Math.round(o.steps / 10));
  const backend = await useWebGpu();
  const task = TASKS.simclr;
  const stepsPerEpoch = 4; // 64 images in batches of 16
  const cfg = task.config('fashion-mnist', 'quick', { trainLimit: 64, testLimit: 32, batchSize: 16, epochs: Math.ceil(o.steps / stepsPerEpoch) });
  const dir = mkdtempSync(join(tmpdir(), 'pretext-soak-'));
  const samples: Sample[] = [];
  const t0 = performance.now();
  try {
    await runTraining({
      task, cfg, dir, resume: false, info: runInfo(backend.gpu.info), progress: false, log: () => {}, mapPoints: 16, eval: { protocols: ['knn'], baselines: [] },
      shouldStop: (step) => {
        if (step % every === 0 || step === warmup) {
          gc();
          const s = backend.gpu.stats();
          const m = process.memoryUsage();
          const sample = { step, liveBuffers: s.liveBuffers, buffersCreated: s.buffersCreated, rssMB: m.rss / 2 ** 20, heapMB: m.heapUsed / 2 ** 20 };
          samples.push(sample);
          log(`step ${step}: ${sample.liveBuffers} live buffers, ${sample.buffersCreated} created, RSS ${sample.rssMB.toFixed(1)} MB, heap ${sample.heapMB.toFixed(1)} MB`);
        }
        return false;
      },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const after = samples.filter((s) => s.step >= warmup);
  const [a, b] = [after[0], after[after.length - 1]];
  return {
    steps: cfg.epochs * stepsPerEpoch,
    samples,
    growth: { liveBuffers: b.liveBuffers - a.liveBuffers, buffersCreated: b.buffersCreated - a.buffersCreated, rssMB: b.rssMB - a.rssMB, heapMB: b.heapMB - a.heapMB },
    seconds: (performance.now() - t0) / 1000,
  };
}
