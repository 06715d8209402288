// GPU timestamps around every labelled compute pass, summed per kernel, and host spans (recording
// and submitting, waits, a caller's steps), exportable as a Chrome/Perfetto trace (chrome://tracing,
// ui.perfetto.dev) with a GPU track and a host track. Off unless switched on.
import { MAP_READ_MODE, Usage } from './usage.js';

/** A span of host work, ns on the host clock (`Profiler.now`). */
export interface HostRecord {
  name: string;
  start: number;
  end: number;
}

/** The adapter's measured ceilings the table reports each kernel against. */
export interface ProfileCeilings {
  fmaGflops: number;
  copyGbps: number;
}

export interface PassRecord {
  kernel: string;
  /** GPU start and end, ns, on the adapter's timestamp clock. */
  start: number;
  end: number;
  flops: number;
  bytes: number;
}

export interface KernelSummary {
  kernel: string;
  calls: number;
  totalMs: number;
  meanMs: number;
  gflops: number;
  gbps: number;
}

/** Host clock, ns: CLOCK_MONOTONIC in Node (lavapipe's timestamps use it too), performance.now() elsewhere. */
const hostNs: () => number =
  typeof process !== 'undefined' && typeof process.hrtime?.bigint === 'function' ? () => Number(process.hrtime.bigint()) : () => performance.now() * 1e6;

const QUERIES = 2 * 1024;

export class Profiler {
  readonly records: PassRecord[] = [];
  readonly host: HostRecord[] = [];
  /** Host time of the first submit that carried timestamped passes (places the GPU track). */
  private firstSubmit: number | null = null;
  private querySet: GPUQuerySet | null = null;
  private pending: { kernel: string; flops: number; bytes: number }[] = [];
  private readonly inflight: Promise<void>[] = [];
  private readonly spare: { resolve: GPUBuffer; read: GPUBuffer }[] = [];

  constructor(
    private readonly device: GPUDevice,
    readonly enabled: boolean,
  ) {
    if (enabled) this.querySet = device.createQuerySet({ type: 'timestamp', count: QUERIES, label: 'pretext-profiler' });
  }

  /** True when the current batch has no room for another pass. */
  get full(): boolean {
    return this.pending.length * 2 >= QUERIES;
  }

  /** timestampWrites for the next pass (undefined when profiling is off). */
  passWrites(kernel: string, flops: number, bytes: number): GPUComputePassTimestampWrites | undefined {
    if (!this.querySet) return undefined;
    const i = this.pending.length;
    this.pending.push({ kernel, flops, bytes });
    return { querySet: this.querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 };
  }

  /** Called with the encoder just before it is finished: resolves this batch's queries. */
  resolve(encoder: GPUCommandEncoder): (() => void) | undefined {
    if (!this.querySet || this.pending.length === 0) return undefined;
    const n = this.pending.length * 2;
    const bufs = this.spare.pop() ?? {
      resolve: this.device.createBuffer({ size: QUERIES * 8, usage: Usage.QUERY_RESOLVE | Usage.COPY_SRC, label: 'profiler-resolve' }),
      read: this.device.createBuffer({ size: QUERIES * 8, usage: Usage.MAP_READ | Usage.COPY_DST, label: 'profiler-read' }),
    };
    encoder.resolveQuerySet(this.querySet, 0, n, bufs.resolve, 0);
    encoder.copyBufferToBuffer(bufs.resolve, 0, bufs.read, 0, n * 8);
    const batch = this.pending;
    this.pending = [];
    // after submit: map and record
    return () => {
      this.firstSubmit ??= hostNs();
      const p = bufs.read.mapAsync(MAP_READ_MODE, 0, n * 8).then(() => {
        const t = new BigUint64Array(bufs.read.getMappedRange(0, n * 8).slice(0));
        bufs.read.unmap();
        this.spare.push(bufs);
        batch.forEach((b, i) => this.records.push({ ...b, start: Number(t[2 * i]), end: Number(t[2 * i + 1]) }));
      });
      this.inflight.push(p);
    };
  }

  async flush(): Promise<void> {
    while (this.inflight.length) await this.inflight.shift();
  }

  clear(): void {
    this.records.length = 0;
    this.host.length = 0;
  }

  /** Now on the host clock, ns. */
  now(): number {
    return hostNs();
  }

  /** Records host work from `start` (a `now()`) to now, when profiling. */
  hostSpan(name: string, start: number): void {
    if (this.enabled) this.host.push({ name, start, end: hostNs() });
  }

  /** Runs fn and records it as a host span (a training step, a batch load) when profiling. */
  async span<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
    if (!this.enabled) return fn();
    const t0 = hostNs();
    try {
      return await fn();
    } finally {
      this.hostSpan(name, t0);
    }
  }

  /**
   * ns to add to a GPU timestamp to place it on the host clock: 0 when the adapter's timestamps
   * already read as host time (the first pass starts after the first submit and before now, as on
   * lavapipe), else the shift that starts the first pass at the first submit.
   */
  gpuOffset(): number {
    const first = this.records.reduce((m, r) => Math.min(m, r.start), Number.POSITIVE_INFINITY);
    if (!Number.isFinite(first) || this.firstSubmit == null) return 0;
    return first >= this.firstSubmit && first <= hostNs() ? 0 : this.firstSubmit - first;
  }

  /** Per-kernel totals, slowest first. */
  summary(): KernelSummary[] {
    const by = new Map<string, { calls: number; ns: number; flops: number; bytes: number }>();
    for (const r of this.records) {
      const s = by.get(r.kernel) ?? { calls: 0, ns: 0, flops: 0, bytes: 0 };
      s.calls++;
      s.ns += Math.max(0, r.end - r.start);
      s.flops += r.flops;
      s.bytes += r.bytes;
      by.set(r.kernel, s);
    }
    return [...by.entries()]
      .map(([kernel, s]) => ({
        kernel,
        calls: s.calls,
        totalMs: s.ns / 1e6,
        meanMs: s.ns / 1e6 / s.calls,
        gflops: s.ns > 0 ? s.flops / s.ns : 0,
        gbps: s.ns > 0 ? s.bytes / s.ns : 0,
      }))
      .sort((a, b) => b.totalMs - a.totalMs);
  }

  /**
   * Chrome trace-event JSON, µs: one complete event per pass on the GPU track (tid 1, named
   * `gpuName`) and one per host span on the host track (tid 2), on one clock (see gpuOffset).
   */
  trace(gpuName = 'GPU'): { traceEvents: object[]; displayTimeUnit: 'ms' } {
    const offset = this.gpuOffset();
    const t0 = Math.min(...this.records.map((r) => r.start + offset), ...this.host.map((h) => h.start));
    const us = (ns: number) => (ns - t0) / 1e3;
    const meta = (tid: number, name: string, sort: number) => [
      { name: 'thread_name', ph: 'M', pid: 1, tid, args: { name } },
      { name: 'thread_sort_index', ph: 'M', pid: 1, tid, args: { sort_index: sort } },
    ];
    return {
      displayTimeUnit: 'ms',
      traceEvents: [
        { name: 'process_name', ph: 'M', pid: 1, tid: 0, args: { name: 'pretext' } },
        ...meta(1, gpuName, 1),
        ...meta(2, 'host (CPU)', 2),
        ...this.records.map((r) => {
          const ns = Math.max(0, r.end - r.start);
          return {
            name: r.kernel, cat: 'gpu', ph: 'X', pid: 1, tid: 1, ts: us(r.start + offset), dur: ns / 1e3,
            args: { flops: r.flops, bytes: r.bytes, 'GFLOP/s': ns > 0 ? r.flops / ns : 0, 'GB/s': ns > 0 ? r.bytes / ns : 0 },
          };
        }),
        ...this.host.map((h) => ({ name: h.name, cat: 'host', ph: 'X', pid: 1, tid: 2, ts: us(h.start), dur: Math.max(0, h.end - h.start) / 1e3 })),
      ],
    };
  }

  /**
   * A table a person can read: kernel, calls, total and mean ms, share of the GPU time, GFLOP/s,
   * GB/s, and with `ceilings` each rate as a fraction of the adapter's measured FMA and copy ceilings.
   */
  table(ceilings?: ProfileCeilings | null): string {
    const rows = this.summary();
    const all = rows.reduce((s, r) => s + r.totalMs, 0);
    const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
    const head = `${'kernel'.padEnd(32)} ${'calls'.padStart(7)} ${'total ms'.padStart(10)} ${'mean ms'.padStart(10)} ${'share'.padStart(6)} ${'GFLOP/s'.padStart(9)} ${'GB/s'.padStart(8)}${ceilings ? `${'%FMA'.padStart(7)} ${'%copy'.padStart(7)}` : ''}`;
    const line = (r: KernelSummary) =>
      `${r.kernel.padEnd(32).slice(0, 32)} ${String(r.calls).padStart(7)} ${r.totalMs.toFixed(3).padStart(10)} ${r.meanMs.toFixed(4).padStart(10)} ${pct(all > 0 ? r.totalMs / all : 0).padStart(6)} ${r.gflops.toFixed(2).padStart(9)} ${r.gbps.toFixed(2).padStart(8)}` +
      (ceilings ? `${pct(r.gflops / ceilings.fmaGflops).padStart(7)} ${pct(r.gbps / ceilings.copyGbps).padStart(7)}` : '');
    const foot = ceilings ? [`ceilings measured in this run: FMA ${ceilings.fmaGflops.toFixed(2)} GFLOP/s, copy ${ceilings.copyGbps.toFixed(2)} GB/s`] : [];
    return [head, ...rows.map(line), `${'all kernels'.padEnd(32)} ${String(rows.reduce((s, r) => s + r.calls, 0)).padStart(7)} ${all.toFixed(3).padStart(10)}`, ...foot].join('\n');
  }
}
