// Buffers pooled by size class, so a steady-state training step allocates nothing.
// Classes are 2^k and 1.5·2^k bytes (≤ 33% waste), at least 256 bytes.
import { Usage } from './usage.js';

export const STORAGE_USAGE = Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST;

export function sizeClass(bytes: number): number {
  if (bytes <= 256) return 256;
  const p = 2 ** Math.floor(Math.log2(bytes));
  if (bytes === p) return p;
  return bytes <= p * 1.5 ? p * 1.5 : p * 2;
}

export interface PoolStats {
  /** GPU buffers ever created by the pool. */
  created: number;
  /** Bytes of all the buffers ever created by the pool (trim() does not lower it). */
  createdBytes: number;
  /** Buffers handed out and not yet released. */
  live: number;
  liveBytes: number;
  /** Bytes of all buffers the pool holds (handed out + free). */
  totalBytes: number;
  peakBytes: number;
}

export class BufferPool {
  private readonly free = new Map<string, GPUBuffer[]>();
  private readonly owned = new WeakSet<GPUBuffer>();
  private readonly idle = new WeakSet<GPUBuffer>();
  readonly stats: PoolStats = { created: 0, createdBytes: 0, live: 0, liveBytes: 0, totalBytes: 0, peakBytes: 0 };

  constructor(
    private readonly device: GPUDevice,
    private readonly maxBufferSize: number,
    private readonly onCreate: (label: string, create: () => GPUBuffer) => GPUBuffer = (_l, c) => c(),
  ) {}

  acquire(bytes: number, usage: number = STORAGE_USAGE, label = 'pretext'): GPUBuffer {
    const size = Math.min(sizeClass(Math.max(4, bytes)), Math.max(bytes, this.maxBufferSize));
    if (bytes > this.maxBufferSize) {
      throw new RangeError(`buffer of ${bytes} bytes exceeds the adapter's maxBufferSize (${this.maxBufferSize})`);
    }
    const key = `${usage}:${size}`;
    let buf = this.free.get(key)?.pop();
    if (buf) this.idle.delete(buf);
    else {
      buf = this.onCreate(label, () => this.device.createBuffer({ size, usage, label }));
      this.owned.add(buf);
      this.stats.created++;
      this.stats.createdBytes += size;
      this.stats.totalBytes += size;
      this.stats.peakBytes = Math.max(this.stats.peakBytes, this.stats.totalBytes);
    }
    this.stats.live++;
    this.stats.liveBytes += size;
    return buf;
  }

  /** Returns a buffer for reuse by later work (stream-ordered: queued commands still see it first). */
  release(buf: GPUBuffer): void {
    if (!this.owned.has(buf)) throw new Error(`buffer '${buf.label}' was not created by this pool`);
    // a second release would hand one buffer to two users: fail loudly instead
    if (this.idle.has(buf)) throw new Error(`buffer '${buf.label}' was released twice`);
    this.idle.add(buf);
    const key = `${buf.usage}:${buf.size}`;
    let list = this.free.get(key);
    if (!list) this.free.set(key, (list = []));
    list.push(buf);
    this.stats.live--;
    this.stats.liveBytes -= buf.size;
  }

  /** Destroys every free buffer. */
  trim(): void {
    for (const list of this.free.values()) {
      for (const b of list) {
        this.stats.totalBytes -= b.size;
        b.destroy();
      }
    }
    this.free.clear();
  }
}
