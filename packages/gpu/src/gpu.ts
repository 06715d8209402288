// The device handle every kernel launches through: pipelines, pooled buffers, batched
// dispatches (many passes per command encoder, one submit per flush), errors as thrown
// GpuErrors naming the kernel, optional timestamp profiling.
import { type AdapterSummary, requestAdapterAndDevice } from './adapter.js';
import type { GpuArray } from './array.js';
import { type AnyTypedArray, BYTES_PER_ELEMENT, type DType, dtypeOf, numel, type TypedArrayFor, typedArray } from './dtype.js';
import { GpuError } from './errors.js';
import { PipelineCache } from './pipelines.js';
import { BufferPool, STORAGE_USAGE } from './pool.js';
import { Autotuner } from './autotune.js';
import { Profiler } from './profiler.js';
import { type SubgroupNeeds, type SubgroupSizes, subgroupsOffByEnv, subgroupWidth } from './subgroups.js';
import { MAP_READ_MODE, Usage } from './usage.js';

export interface GpuOptions {
  /** Timestamp every pass (also: env PRETEXT_PROFILE=1). */
  profile?: boolean;
  /** Error scope around every dispatch, so a failure names its exact kernel (also: env PRETEXT_DEBUG=1). */
  debug?: boolean;
  /** Where `destroy()` writes the Chrome trace when profiling (also: env PRETEXT_TRACE). */
  tracePath?: string;
  dawnFlags?: string[];
  /**
   * false: no kernel takes a subgroup variant, each runs its portable one, as on an adapter
   * without the `subgroups` feature (also: env PRETEXT_SUBGROUPS=0).
   */
  subgroups?: boolean;
  /**
   * Launchers with several variants time them once per shape class and keep the fastest in
   * ~/.cache/pretext/tune-<adapter>.json (also: env PRETEXT_AUTOTUNE=1; see autotune.ts).
   */
  autotune?: boolean;
}

export type Binding = GPUBuffer | GpuArray | { buffer: GPUBuffer; offset?: number; size?: number };

export interface Dispatch {
  /** The kernel's name: labels the pass, the profiler row and any error. */
  kernel: string;
  pipeline: GPUComputePipeline;
  /** Storage buffers at @binding(1), @binding(2), … in this order. */
  buffers: readonly Binding[];
  /** Uniform struct at @binding(0) (see `params()`), if the shader has one. */
  params?: Uint8Array;
  workgroups: readonly [number, number?, number?];
  /** FLOPs and bytes moved by this launch, for GFLOP/s and GB/s. */
  flops?: number;
  bytes?: number;
}

export interface GpuStats {
  buffersCreated: number;
  /** Bytes of the buffers the pool created (allocations, not reuses). */
  bytesCreated: number;
  pipelinesCreated: number;
  liveBuffers: number;
  liveBytes: number;
  peakBytes: number;
  dispatches: number;
  submits: number;
  /** Sums of the FLOPs and bytes the dispatches declared (Dispatch.flops, .bytes). */
  declaredFlops: number;
  declaredBytes: number;
}

const env = (k: string): string | undefined => (typeof process !== 'undefined' ? process.env[k] : undefined);
const MAX_PASSES_PER_SUBMIT = 1024;
/**
 * Submits in a row with nothing waited on (no sync, no readback) before submit() throws: a loop
 * that never waits for the GPU queues unbounded work, and lavapipe crashed (SIGSEGV) on ~14 000 of
 * them (a 30-epoch linear probe without readback). A training step waits once; this is far above.
 */
export const MAX_UNWAITED_SUBMITS = 4096;

export class Gpu {
  readonly pool: BufferPool;
  readonly pipelines: PipelineCache;
  readonly profiler: Profiler;
  readonly debug: boolean;
  /** Picks among a launcher's variants by measurement when switched on; the launcher's default otherwise (tests may replace it). */
  tuner: Autotuner;
  /** Whether subgroup variants may run (GpuOptions.subgroups, env PRETEXT_SUBGROUPS); tests may flip it. */
  subgroups: boolean;
  private encoder: GPUCommandEncoder | null = null;
  /** Host time the current encoder got its first pass (the profiler's 'record+submit' span). */
  private encodeStart = 0;
  /** writeTrace ran: destroy() does not write the default trace file as well. */
  private traceWritten = false;
  private passes = 0;
  private readonly errors: GpuError[] = [];
  private lostReason: string | null = null;
  private destroyed = false;
  private readonly arena: GPUBuffer;
  private readonly arenaStaging: Uint8Array<ArrayBuffer>;
  private readonly slot: number;
  private arenaUsed = 0;
  /** submits since the last completed sync or readback */
  private unwaited = 0;
  private readonly counters = { dispatches: 0, submits: 0, declaredFlops: 0, declaredBytes: 0 };

  private constructor(
    readonly device: GPUDevice,
    readonly info: AdapterSummary,
    private readonly opts: GpuOptions,
  ) {
    this.debug = opts.debug ?? env('PRETEXT_DEBUG') === '1';
    this.subgroups = opts.subgroups ?? !subgroupsOffByEnv(env('PRETEXT_SUBGROUPS'));
    this.tuner = new Autotuner(this, { enabled: opts.autotune ?? env('PRETEXT_AUTOTUNE') === '1', adapter: `${info.device} ${info.description}` });
    const profile = (opts.profile ?? env('PRETEXT_PROFILE') === '1') && device.features.has('timestamp-query');
    this.profiler = new Profiler(device, profile);
    this.pool = new BufferPool(device, device.limits.maxBufferSize, (label, create) => this.watch(label, 'buffer allocation', create));
    this.pipelines = new PipelineCache(device, (k, what, create) => this.watch(k, what, create));
    this.slot = Math.max(256, device.limits.minUniformBufferOffsetAlignment);
    const arenaBytes = this.slot * 256;
    this.arena = device.createBuffer({ size: arenaBytes, usage: Usage.UNIFORM | Usage.COPY_DST, label: 'pretext-params' });
    this.arenaStaging = new Uint8Array(arenaBytes);
    device.addEventListener('uncapturederror', (ev) => {
      const msg = (ev as GPUUncapturedErrorEvent).error.message;
      this.errors.push(new GpuError(kernelIn(msg) ?? 'webgpu', msg));
    });
    device.lost.then((l) => {
      if (this.destroyed) return;
      this.lostReason = `${l.reason}: ${l.message}`;
      this.errors.push(new GpuError('device', `device lost (${this.lostReason})`));
    });
  }

  static async create(opts: GpuOptions = {}): Promise<Gpu> {
    const { device, summary } = await requestAdapterAndDevice({ dawnFlags: opts.dawnFlags });
    return new Gpu(device, summary, opts);
  }

  /** Why the device was lost ('destroyed: …', a driver reset), or null while it lives. */
  get lost(): string | null {
    return this.lostReason;
  }

  get limits(): GPUSupportedLimits {
    return this.device.limits;
  }
  get features(): ReadonlySet<string> {
    return this.device.features as unknown as ReadonlySet<string>;
  }
  /** The adapter's subgroup sizes when the device has the `subgroups` feature and they are switched on, else null. */
  get subgroupSizes(): SubgroupSizes | null {
    const info = (this.device as unknown as { adapterInfo?: { subgroupMinSize?: number; subgroupMaxSize?: number } }).adapterInfo;
    if (!this.subgroups || !this.features.has('subgroups') || !info?.subgroupMinSize || !info.subgroupMaxSize) return null;
    return { min: info.subgroupMinSize, max: info.subgroupMaxSize };
  }
  /**
   * The lanes W a subgroup kernel with these needs is launched for (its `override SG`), or 0
   * when it cannot run here (no subgroups, switched off, a width it is not written for): the
   * launcher then takes its portable variant.
   */
  subgroupWidth(needs?: SubgroupNeeds): number {
    return subgroupWidth(this.subgroupSizes, needs);
  }

  stats(): GpuStats {
    const p = this.pool.stats;
    return {
      buffersCreated: p.created,
      bytesCreated: p.createdBytes,
      pipelinesCreated: this.pipelines.stats.created,
      liveBuffers: p.live,
      liveBytes: p.liveBytes,
      peakBytes: p.peakBytes,
      ...this.counters,
    };
  }

  /** A cached compute pipeline for this WGSL source and override constants. */
  pipeline(kernel: string, code: string, constants?: Record<string, number>, entryPoint = 'main'): GPUComputePipeline {
    return this.pipelines.get(kernel, code, constants, entryPoint);
  }

  /** Records one compute pass into the current batch. Nothing runs until submit/sync/read. */
  dispatch(d: Dispatch): void {
    this.throwIfFailed();
    const [x, y = 1, z = 1] = d.workgroups;
    const max = this.device.limits.maxComputeWorkgroupsPerDimension;
    if (x > max || y > max || z > max) {
      throw new GpuError(d.kernel, `grid (${x}, ${y}, ${z}) exceeds maxComputeWorkgroupsPerDimension (${max})`);
    }
    if (x === 0 || y === 0 || z === 0) return;
    if (d.params && this.arenaUsed + this.slot > this.arenaStaging.length) this.submit();
    if (this.profiler.full || this.passes >= MAX_PASSES_PER_SUBMIT) this.submit();

    const entries: GPUBindGroupEntry[] = [];
    if (d.params) {
      if (d.params.byteLength > this.slot) throw new GpuError(d.kernel, `params of ${d.params.byteLength} bytes exceed ${this.slot}`);
      this.arenaStaging.set(d.params, this.arenaUsed);
      entries.push({ binding: 0, resource: { buffer: this.arena, offset: this.arenaUsed, size: d.params.byteLength } });
      this.arenaUsed += this.slot;
    }
    d.buffers.forEach((b, i) => {
      const r = isBuffer(b) ? { buffer: b } : 'shape' in b ? arrayBinding(b) : b;
      entries.push({ binding: i + 1, resource: r });
    });
    const run = () => {
      const bindGroup = this.device.createBindGroup({ label: d.kernel, layout: d.pipeline.getBindGroupLayout(0), entries });
      if (!this.encoder) {
        this.encoder = this.device.createCommandEncoder({ label: 'pretext' });
        this.encodeStart = this.profiler.now();
      }
      const pass = this.encoder.beginComputePass({
        label: d.kernel,
        timestampWrites: this.profiler.passWrites(d.kernel, d.flops ?? 0, d.bytes ?? 0),
      });
      pass.setPipeline(d.pipeline);
      pass.setBindGroup(0, bindGroup);
      pass.dispatchWorkgroups(x, y, z);
      pass.end();
    };
    if (this.debug) this.watch(d.kernel, 'dispatch', run);
    else run();
    this.passes++;
    this.counters.dispatches++;
    this.counters.declaredFlops += d.flops ?? 0;
    this.counters.declaredBytes += d.bytes ?? 0;
  }

  /** Sends the recorded batch to the GPU; throws past MAX_UNWAITED_SUBMITS with nothing waited on. */
  submit(): void {
    this.flush(false);
  }

  /** submit(), where `waiting` says the caller waits for the GPU right after (sync, read). */
  private flush(waiting: boolean): void {
    if (!this.encoder) return;
    if (!waiting && this.unwaited >= MAX_UNWAITED_SUBMITS) {
      throw new GpuError('submit', `${this.unwaited} submits in a row with no readback or sync() between them: a loop that never waits for the GPU queues unbounded work (lavapipe crashes on it). Await gpu.sync() or read a result every so often.`);
    }
    this.unwaited++;
    if (this.arenaUsed > 0) this.device.queue.writeBuffer(this.arena, 0, this.arenaStaging, 0, this.arenaUsed);
    const after = this.profiler.resolve(this.encoder);
    this.device.queue.submit([this.encoder.finish()]);
    after?.();
    if (this.passes) this.profiler.hostSpan(`record+submit ${this.passes} passes`, this.encodeStart);
    this.encoder = null;
    this.passes = 0;
    this.arenaUsed = 0;
    this.counters.submits++;
  }

  /** Submits and waits for the GPU; throws the first GPU error since the last sync. */
  async sync(): Promise<void> {
    this.flush(true);
    const t0 = this.profiler.now();
    await this.device.queue.onSubmittedWorkDone();
    this.profiler.hostSpan('wait: sync', t0);
    this.unwaited = 0;
    await this.profiler.flush();
    await Promise.resolve();
    this.throwIfFailed();
  }

  /** A storage buffer from the pool (contents undefined). */
  alloc(bytes: number, label = 'pretext'): GPUBuffer {
    return this.pool.acquire(bytes, STORAGE_USAGE, label);
  }

  empty(shape: readonly number[], dtype: DType = 'f32', label?: string): GpuArray {
    return { buffer: this.alloc(Math.max(4, numel(shape) * BYTES_PER_ELEMENT[dtype]), label), dtype, shape: [...shape] };
  }

  upload(data: AnyTypedArray, shape: readonly number[] = [data.length], label?: string): GpuArray {
    if (numel(shape) !== data.length) throw new RangeError(`upload: shape [${shape.join(', ')}] holds ${numel(shape)} elements, data has ${data.length}`);
    const arr = this.empty(shape, dtypeOf(data), label);
    this.write(arr.buffer, data);
    return arr;
  }

  /** Writes host data into a buffer, after all work recorded so far (stream order). */
  write(buffer: GPUBuffer, data: AnyTypedArray, byteOffset = 0): void {
    this.submit(); // queue.writeBuffer runs before unsubmitted passes: flush them first
    if (data.byteLength > 0) this.device.queue.writeBuffer(buffer, byteOffset, data.buffer as ArrayBuffer, data.byteOffset, data.byteLength);
  }

  /** Copies `bytes` from a buffer to the host (submits the batch first). */
  async read(buffer: GPUBuffer, bytes: number, byteOffset = 0): Promise<ArrayBuffer> {
    const size = Math.ceil(bytes / 4) * 4;
    const staging = this.pool.acquire(size, Usage.MAP_READ | Usage.COPY_DST, 'readback');
    try {
      this.encoder ??= this.device.createCommandEncoder({ label: 'pretext' });
      this.encoder.copyBufferToBuffer(buffer, byteOffset, staging, 0, size);
      this.flush(true);
      const t0 = this.profiler.now();
      await staging.mapAsync(MAP_READ_MODE, 0, size).catch((e: Error) => {
        this.throwIfFailed();
        throw new GpuError('readback', e.message);
      });
      this.profiler.hostSpan(`wait: readback ${bytes} B`, t0);
      this.unwaited = 0; // the copy ran after everything submitted before it
      const out = staging.getMappedRange(0, size).slice(0, bytes);
      staging.unmap();
      await this.profiler.flush();
      this.throwIfFailed();
      return out;
    } finally {
      this.pool.release(staging);
    }
  }

  async download<D extends DType>(arr: GpuArray & { dtype: D }): Promise<TypedArrayFor<D>> {
    const n = numel(arr.shape);
    return typedArray(arr.dtype, await this.read(arr.buffer, n * 4, arr.offset ?? 0), n);
  }

  /** Returns an array's buffer to the pool. */
  free(arr: GpuArray | GPUBuffer): void {
    this.pool.release(isBuffer(arr) ? arr : arr.buffer);
  }

  /** Runs `create` inside validation and out-of-memory error scopes labelled with the kernel. */
  watch<T>(kernel: string, what: string, create: () => T): T {
    this.device.pushErrorScope('out-of-memory');
    this.device.pushErrorScope('validation');
    try {
      return create();
    } finally {
      for (let i = 0; i < 2; i++) {
        this.device.popErrorScope().then((e) => {
          if (e) this.errors.push(new GpuError(kernel, `${what} failed: ${e.message}`));
        });
      }
    }
  }

  private throwIfFailed(): void {
    if (this.lostReason && !this.errors.length) throw new GpuError('device', `device lost (${this.lostReason})`);
    const e = this.errors.shift();
    if (e) {
      this.errors.length = 0;
      throw e;
    }
  }

  /** Writes the profiler's Chrome trace (Node only). */
  async writeTrace(path: string): Promise<void> {
    await this.profiler.flush();
    const fs = 'node:fs/promises'; // not a static import: a browser bundle never loads it
    const { writeFile } = (await import(/* @vite-ignore */ fs)) as typeof import('node:fs/promises');
    this.traceWritten = true;
    await writeFile(path, JSON.stringify(this.profiler.trace(`GPU: ${this.info.device || this.info.description || 'adapter'}`)));
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.tuner.cancel();
    try {
      this.flush(true);
      await this.device.queue.onSubmittedWorkDone();
      if (this.profiler.enabled && !this.traceWritten && typeof process !== 'undefined' && process.versions?.node) {
        const path = this.opts.tracePath ?? env('PRETEXT_TRACE') ?? 'pretext-trace.json';
        await this.writeTrace(path);
      }
    } finally {
      this.destroyed = true;
      this.pool.trim();
      this.device.destroy();
    }
  }
}

function kernelIn(message: string): string | undefined {
  return /\[(?:ComputePipeline|ComputePassEncoder|ShaderModule|BindGroup|Buffer|CommandEncoder)\s+"([^"]+)"\]/.exec(message)?.[1];
}

let shared: Promise<Gpu> | undefined;

/** The process-wide Gpu (created on first call). */
export function getGpu(opts?: GpuOptions): Promise<Gpu> {
  shared ??= Gpu.create(opts);
  return shared;
}

/** Destroys the process-wide Gpu; the next getGpu() makes a new one. */
export async function destroyGpu(): Promise<void> {
  const g = shared;
  shared = undefined;
  if (g) await (await g).destroy();
}

function isBuffer(b: unknown): b is GPUBuffer {
  return typeof (b as GPUBuffer).mapAsync === 'function';
}

/** A view binds its own range (rounded up to 16 bytes for vec4 access); a whole array binds its buffer. */
function arrayBinding(a: GpuArray): GPUBufferBinding {
  if (!a.offset) return { buffer: a.buffer };
  const size = Math.min(a.buffer.size - a.offset, Math.ceil((numel(a.shape) * 4) / 16) * 16);
  return { buffer: a.buffer, offset: a.offset, size };
}
