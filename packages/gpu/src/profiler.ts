// GPU timestamps around every labelled compute pass, summed per kernel, exportable as a
// Chrome/Perfetto trace (chrome://tracing, ui.perfetto.dev). Off unless switched on.
import { MAP_READ_MODE, Usage } from './usage.js';

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

const QUERIES = 2 * 1024;

export class Profiler {
  readonly records: PassRecord[] = [];
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

  /** Chrome trace-event JSON (one complete event per pass, µs). */
  trace(): { traceEvents: object[]; displayTimeUnit: 'ms' } {
    const t0 = this.records.reduce((m, r) => Math.min(m, r.start), Number.POSITIVE_INFINITY);
    return {
      displayTimeUnit: 'ms',
      traceEvents: this.records.map((r) => ({
        name: r.kernel,
        cat: 'gpu',
        ph: 'X',
        pid: 1,
        tid: 1,
        ts: (r.start - t0) / 1e3,
        dur: Math.max(0, r.end - r.start) / 1e3,
        args: { flops: r.flops, bytes: r.bytes },
      })),
    };
  }

  /** A table a person can read: kernel, calls, total and mean ms, GFLOP/s, GB/s. */
  table(): string {
    const rows = this.summary();
    const head = 'kernel                          calls   total ms    mean ms   GFLOP/s     GB/s';
    return [head, ...rows.map((r) =>
      `${r.kernel.padEnd(30).slice(0, 30)} ${String(r.calls).padStart(7)} ${r.totalMs.toFixed(3).padStart(10)} ${r.meanMs.toFixed(4).padStart(10)} ${r.gflops.toFixed(2).padStart(9)} ${r.gbps.toFixed(2).padStart(8)}`)].join('\n');
  }
}
