// One case: setup → one run() → check() against the reference (a case above tolerance is
// reported as FAIL and never timed) → warm-up → reps of run()+sync, GPU ms per rep from the
// profiler's records of that rep, wall ms per rep from the host; then the same for the peer.
import type { Gpu } from '@pretext/gpu';
import type { BenchCase, PeerInstance, Tf } from './case.js';
import { peerGpuBytes, peerHasTimestamps, peerRun, peerSync } from './peer.js';
import type { CaseResult, PeerResult } from './report.js';
import { median, timeReps } from './stats.js';

export interface MeasureOptions {
  reps: number;
  warmup: number;
  quick: boolean;
  /** tfjs with the webgpu backend, or null to skip peers. */
  tf: Tf | null;
  /** Runs the FMA ceiling now and returns its GFLOP/s (measured right before and after a case). */
  ceiling?: () => Promise<number | null>;
}

/** The better of the ceilings measured right before and right after a case (load drifts). */
export async function around<T>(ceiling: (() => Promise<number | null>) | undefined, body: () => Promise<T>): Promise<[T, number | undefined]> {
  const before = (await ceiling?.()) ?? null;
  const result = await body();
  const after = (await ceiling?.()) ?? null;
  const best = Math.max(before ?? 0, after ?? 0);
  return [result, best > 0 ? best : undefined];
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

function blank(c: BenchCase, reps: number): CaseResult {
  return {
    name: c.name,
    kernel: c.kernel,
    ...(c.target ? { target: c.target } : {}),
    status: 'error',
    error: null,
    tolerance: Number.NaN,
    flops: 0,
    bytes: 0,
    reps,
    gpuMs: null,
    gpuMinMs: null,
    wallMs: null,
    wallRme: null,
    gflops: null,
    gbps: null,
    fmaFraction: null,
    copyFraction: null,
    ratioGpu: null,
    ratioWall: null,
  };
}

/** GPU time of the passes recorded since the last clear, ms (null when not profiling). */
export function passMs(gpu: Gpu): number | null {
  if (!gpu.profiler.enabled) return null;
  let ns = 0;
  for (const r of gpu.profiler.records) ns += Math.max(0, r.end - r.start);
  return ns / 1e6;
}

export async function measureCase(c: BenchCase, gpu: Gpu, opts: MeasureOptions): Promise<CaseResult> {
  const res = blank(c, opts.reps);
  let inst: Awaited<ReturnType<BenchCase['setup']>> | undefined;
  try {
    inst = await c.setup(gpu, { quick: opts.quick });
    Object.assign(res, { tolerance: inst.tolerance, flops: inst.flops, bytes: inst.bytes });
    const peakBefore = gpu.stats().peakBytes;
    inst.run();
    await gpu.sync();
    res.memoryBytes = inst.workspaceBytes ?? gpu.stats().peakBytes - peakBefore;
    res.error = await inst.check();
    if (!(res.error <= inst.tolerance)) {
      res.status = 'fail';
      res.message = `check failed: error ${res.error} > tolerance ${inst.tolerance}; not timed`;
      return res;
    }
    for (let i = 0; i < opts.warmup; i++) {
      inst.run();
      await gpu.sync();
    }
    // PRETEXT_AUTOTUNE=1: the first launches started timing their candidates; the reps take the winners
    await gpu.tuner.idle();
    const gpuSamples: number[] = [];
    const run = inst.run.bind(inst);
    const [wall, adjacent] = await around(opts.ceiling, () => timeReps(c.name, opts.reps, async () => {
      gpu.profiler.clear();
      const t0 = performance.now();
      run();
      gpu.submit();
      await gpu.device.queue.onSubmittedWorkDone();
      const ms = performance.now() - t0;
      await gpu.sync(); // flushes this rep's timestamps, throws GPU errors
      const g = passMs(gpu);
      if (g != null) gpuSamples.push(g);
      return ms;
    }));
    gpu.profiler.clear();
    res.adjacentFmaGflops = adjacent;
    res.wallMs = wall.p50;
    res.wallRme = wall.rme;
    res.gpuMs = median(gpuSamples);
    res.gpuMinMs = gpuSamples.length ? Math.min(...gpuSamples) : null;
    const ms = res.gpuMs ?? res.wallMs;
    res.gflops = inst.flops > 0 ? inst.flops / (ms * 1e6) : null;
    res.gbps = inst.bytes > 0 ? inst.bytes / (ms * 1e6) : null;
    res.status = 'ok';
  } catch (e) {
    res.status = 'error';
    res.message = message(e);
    return res;
  } finally {
    try {
      inst?.dispose();
    } catch {
      /* a failed dispose must not hide the result */
    }
  }
  if (c.peer && opts.tf) {
    res.peer = await measurePeer(c.peer, opts.tf, opts);
    if (res.peer.gpuMs != null && res.gpuMs != null && res.gpuMs > 0) res.ratioGpu = res.peer.gpuMs / res.gpuMs;
    if (res.peer.wallMs != null && res.wallMs != null && res.wallMs > 0) res.ratioWall = res.peer.wallMs / res.wallMs;
  }
  return res;
}

export async function measurePeer(peer: NonNullable<BenchCase['peer']>, tf: Tf, opts: MeasureOptions): Promise<PeerResult> {
  const out: PeerResult = { name: peer.name, wallMs: null, gpuMs: null };
  let inst: PeerInstance | undefined;
  try {
    inst = await peer.setup(tf, { quick: opts.quick });
    const p = inst;
    const before = peerGpuBytes(tf);
    let y = peerRun(tf, p);
    await peerSync(tf);
    out.memoryBytes = p.memoryBytes ?? peerGpuBytes(tf) - before;
    tf.dispose(y);
    for (let i = 0; i < opts.warmup; i++) {
      tf.dispose(peerRun(tf, p));
      await peerSync(tf);
    }
    const wall = await timeReps(peer.name, opts.reps, async () => {
      const t0 = performance.now();
      y = peerRun(tf, p);
      await peerSync(tf);
      const ms = performance.now() - t0;
      tf.dispose(y);
      return ms;
    });
    out.wallMs = wall.p50;
    if (peerHasTimestamps(tf)) {
      // tf.time puts each program in its own timestamped pass; kernelMs is their sum
      const samples: number[] = [];
      for (let i = 0; i < opts.reps; i++) {
        const t = await tf.time(() => {
          y = peerRun(tf, p);
        });
        await peerSync(tf);
        tf.dispose(y);
        if (typeof t.kernelMs === 'number' && t.kernelMs > 0) samples.push(t.kernelMs);
      }
      out.gpuMs = median(samples);
    } else out.message = 'peer: no timestamp-query, wall clock only';
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
