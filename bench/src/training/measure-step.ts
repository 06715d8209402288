// Measures a training-step case: setup → one step (pays pipeline compilation) → check() → warm-up
// → reps of step + wait, each rep's GPU ms from the profiler, its submits and dispatches from
// gpu.stats(), the last rep's per-kernel table, each rep followed by one step of the PyTorch peer
// when there is one (torch-peer.ts); then the tfjs peer on the wall clock only (tf.time would run
// every step again with a timestamped pass per program).
import { loadavg } from 'node:os';
import type { Gpu, KernelSummary } from '@pretext/gpu';
import type { Tf } from '../case.js';
import { peerRun, peerSync } from '../peer.js';
import { around } from '../measure.js';
import type { CaseResult, PeerResult } from '../report.js';
import { median, timeReps } from '../stats.js';
import type { StepInstance, TrainingCase } from './case.js';
import { findTorch, startTorch, type TorchServer } from './torch-peer.js';

/** The PyTorch peer of a step case: its items/s and ours over it, or why it did not run. */
export interface TorchPeerMetrics {
  name: string;
  stepsPerSec: number | null;
  itemsPerSec: number | null;
  /** Our items/s over PyTorch's, steps interleaved in the same run (> 1: we are faster). */
  ratioItems: number | null;
  message?: string;
}

export interface TrainingMetrics {
  batch: string;
  unit: 'images' | 'tokens';
  /** Wall clock: step recorded → submitted → GPU idle (a task's step includes its metrics readback). */
  stepsPerSec: number;
  itemsPerSec: number;
  /** Declared conv/matmul FLOPs over the wall time of a step. */
  gflopsWall: number;
  /** gflopsWall / the run's FMA ceiling (filled once the ceilings are known). */
  fmaFractionWall: number | null;
  /** gflopsWall / the FMA ceiling measured right before and after the step's reps. */
  fmaFractionWallAdjacent?: number | null;
  /**
   * The FLOPs the kernels executed in the last step (their own dispatch counts: Winograd's fewer
   * multiplies, every elementwise pass) over the wall time of a step; null without timestamps.
   */
  executedGflopsWall?: number | null;
  submitsPerStep: number;
  dispatchesPerStep: number;
  peerStepsPerSec: number | null;
  peerItemsPerSec: number | null;
  /** Our items/s over the peer's, both on the wall clock. */
  ratioItems: number | null;
  /** The same step in PyTorch on the CPU, interleaved with ours (absent: the case has none). */
  torch?: TorchPeerMetrics;
  /** Per-kernel GPU time of our last timed step, slowest first. */
  topKernels: KernelSummary[];
  /** 1-minute load average when the case started and ended (a shared machine skews everything). */
  load: [number, number];
}

export interface StepMeasureOptions {
  reps: number;
  warmup: number;
  quick: boolean;
  tf: Tf | null;
  ceiling?: () => Promise<number | null>;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

function blank(c: TrainingCase, reps: number): CaseResult {
  return {
    name: c.name, kernel: c.kernel, ...(c.target ? { target: c.target } : {}), status: 'error', error: null, tolerance: Number.NaN,
    flops: 0, bytes: 0, reps, gpuMs: null, gpuMinMs: null, wallMs: null, wallRme: null, gflops: null, gbps: null,
    fmaFraction: null, copyFraction: null, ratioGpu: null, ratioWall: null,
  };
}

export async function measureStep(c: TrainingCase, gpu: Gpu, opts: StepMeasureOptions): Promise<CaseResult> {
  const reps = Math.max(1, Math.min(opts.reps, c.limits.reps));
  const warmup = Math.min(opts.warmup, c.limits.warmup);
  const res = blank(c, reps);
  const load0 = loadavg()[0];
  let inst: StepInstance | undefined;
  const gpuMs: number[] = [];
  const submits: number[] = [];
  const dispatches: number[] = [];
  let kernels: KernelSummary[] = [];
  const torchMs: number[] = [];
  let torch: TorchPeerMetrics | undefined;
  let server: TorchServer | undefined;
  try {
    inst = await c.setup(gpu, { quick: opts.quick });
    Object.assign(res, { tolerance: inst.tolerance, flops: inst.flops, bytes: inst.bytes });
    const peakBefore = gpu.stats().peakBytes;
    await inst.run();
    await gpu.sync();
    res.memoryBytes = gpu.stats().peakBytes - peakBefore;
    res.error = await inst.check();
    if (!(res.error <= inst.tolerance)) {
      res.status = 'fail';
      res.message = `check failed: error ${res.error} > tolerance ${inst.tolerance}; not timed`;
      return res;
    }
    for (let i = 0; i < warmup; i++) {
      await inst.run();
      await gpu.sync();
    }
    if (inst.torch) [torch, server] = await torchPeer(inst.torch, inst.params);
    const step = inst;
    const [wall, adjacent] = await around(opts.ceiling, () => timeReps(c.name, reps, async () => {
      gpu.profiler.clear();
      const before = gpu.stats();
      const t0 = performance.now();
      await step.run();
      gpu.submit();
      await gpu.device.queue.onSubmittedWorkDone();
      const ms = performance.now() - t0;
      const after = gpu.stats();
      submits.push(after.submits - before.submits);
      dispatches.push(after.dispatches - before.dispatches);
      await gpu.sync();
      if (gpu.profiler.enabled) {
        gpuMs.push(gpu.profiler.records.reduce((s, r) => s + Math.max(0, r.end - r.start), 0) / 1e6);
        kernels = gpu.profiler.summary();
      }
      // PyTorch's step right after ours (A B A B …): both see the same load; a failed peer ends the peer, not our case
      if (server && torch) {
        try {
          torchMs.push(await server.step());
        } catch (e) {
          torch.message = `PyTorch peer failed: ${message(e)}`;
          server.close();
          server = undefined;
        }
      }
      return ms;
    }));
    gpu.profiler.clear();
    res.adjacentFmaGflops = adjacent;
    res.wallMs = wall.p50;
    res.wallRme = wall.rme;
    res.gpuMs = median(gpuMs);
    res.gpuMinMs = gpuMs.length ? Math.min(...gpuMs) : null;
    res.gflops = inst.flops / ((res.gpuMs ?? res.wallMs) * 1e6);
    res.status = 'ok';
  } catch (e) {
    res.message = message(e);
    return res;
  } finally {
    server?.close();
    try {
      inst?.dispose();
    } catch {
      /* a failed dispose must not hide the result */
    }
  }
  const steps = 1000 / (res.wallMs as number);
  const training: TrainingMetrics = {
    batch: inst.batch, unit: inst.unit, stepsPerSec: steps, itemsPerSec: steps * inst.items, gflopsWall: (inst.flops * steps) / 1e9,
    fmaFractionWall: null, submitsPerStep: median(submits) ?? 0, dispatchesPerStep: median(dispatches) ?? 0,
    peerStepsPerSec: null, peerItemsPerSec: null, ratioItems: null, topKernels: kernels, load: [load0, load0],
    executedGflopsWall: kernels.length ? (kernels.reduce((s, k) => s + k.gflops * k.totalMs, 0) / 1e3) * steps : null,
  };
  if (c.peer && opts.tf) {
    res.peer = await measureStepPeer(c, opts.tf, reps, warmup, opts.quick);
    if (res.peer.wallMs != null && res.peer.wallMs > 0) {
      training.peerStepsPerSec = 1000 / res.peer.wallMs;
      training.peerItemsPerSec = training.peerStepsPerSec * inst.items;
      training.ratioItems = res.peer.wallMs / (res.wallMs as number);
      res.ratioWall = training.ratioItems;
    }
  }
  if (c.cpuPeer) {
    res.peer = await measureCpuPeer(c.cpuPeer, reps, warmup);
    if (res.peer.wallMs != null && res.peer.wallMs > 0) {
      training.peerStepsPerSec = 1000 / res.peer.wallMs;
      training.peerItemsPerSec = training.peerStepsPerSec * inst.items;
      training.ratioItems = res.peer.wallMs / (res.wallMs as number);
      res.ratioWall = training.ratioItems;
    }
  }
  if (torch) {
    const ms = median(torchMs);
    if (ms) Object.assign(torch, { stepsPerSec: 1000 / ms, itemsPerSec: (1000 / ms) * inst.items, ratioItems: ms / (res.wallMs as number) });
    training.torch = torch;
  }
  training.load[1] = loadavg()[0];
  res.training = training;
  return res;
}

/** The PyTorch server for a step (warmed up), or the metrics that say why there is none. */
async function torchPeer(t: NonNullable<StepInstance['torch']>, params?: number): Promise<[TorchPeerMetrics, TorchServer | undefined]> {
  const blank = { stepsPerSec: null, itemsPerSec: null, ratioItems: null };
  const found = findTorch();
  if ('reason' in found) return [{ name: 'PyTorch CPU', ...blank, message: found.reason }, undefined];
  try {
    const server = await startTorch(t, found);
    // not the same model: timed all the same, the row says so
    const differs = params != null && server.params !== params ? { message: `PyTorch's model trains ${server.params} values, ours ${params}` } : {};
    return [{ name: server.name, ...blank, ...differs }, server];
  } catch (e) {
    return [{ name: `PyTorch ${found.version} CPU`, ...blank, message: `PyTorch peer failed: ${message(e)}` }, undefined];
  }
}

/** A CPU peer (onnxruntime-node): one untimed run, warm-up, then reps on the wall clock. */
async function measureCpuPeer(peer: NonNullable<TrainingCase['cpuPeer']>, reps: number, warmup: number): Promise<PeerResult> {
  const out: PeerResult = { name: peer.name, wallMs: null, gpuMs: null, message: 'peer: wall clock, CPU' };
  let inst: Awaited<ReturnType<typeof peer.setup>> | undefined;
  try {
    inst = await peer.setup();
    const p = inst;
    for (let i = 0; i <= warmup; i++) await p.run();
    const wall = await timeReps(peer.name, reps, async () => {
      const t0 = performance.now();
      await p.run();
      return performance.now() - t0;
    });
    out.wallMs = wall.p50;
  } catch (e) {
    out.message = `peer failed: ${message(e)}`;
  } finally {
    inst?.dispose();
  }
  return out;
}

/** The peer's step: one untimed (compiles tfjs's shaders), warm-up, then reps on the wall clock. */
async function measureStepPeer(c: TrainingCase, tf: Tf, reps: number, warmup: number, quick: boolean): Promise<PeerResult> {
  const peer = c.peer as NonNullable<TrainingCase['peer']>;
  const out: PeerResult = { name: peer.name, wallMs: null, gpuMs: null, message: 'peer: wall clock only for training steps' };
  let inst: Awaited<ReturnType<typeof peer.setup>> | undefined;
  try {
    inst = await peer.setup(tf, { quick });
    const p = inst;
    const before = tf.memory().numBytes;
    for (let i = 0; i <= warmup; i++) {
      tf.dispose(peerRun(tf, p));
      await peerSync(tf);
    }
    out.memoryBytes = tf.memory().numBytes - before;
    const wall = await timeReps(peer.name, reps, async () => {
      const t0 = performance.now();
      const y = peerRun(tf, p);
      await peerSync(tf);
      const ms = performance.now() - t0;
      tf.dispose(y);
      return ms;
    });
    out.wallMs = wall.p50;
  } catch (e) {
    out.message = `peer failed: ${message(e)}`;
  } finally {
    try {
      inst?.dispose();
    } catch {
      /* ignore */
    }
  }
  return out;
}
