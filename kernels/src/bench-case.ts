// What a kernel's `<name>.bench.ts` exports (`export const benches: BenchCase<Tf>[]`); the bench
// package (@pretext/bench) finds, checks, times and compares them. Setup happens outside the
// timed body; the harness validates against the reference before it times anything.
// Generic in the peer's namespace P, so it names no type of a peer: @pretext/bench imports it
// from '@pretext/kernels/bench-case' and binds P to tfjs; the .bench.ts files take the same
// binding from bench-tf.ts. Not part of the kernel API (the package index does not export it).
import type { Gpu } from '@pretext/gpu';

export interface BenchInstance {
  /** Records one launch of the kernel(s) under test (no submit, no readback). */
  run(): void;
  /** Relative error of what run() produced vs the CPU reference (called after one run()). */
  check(): Promise<number>;
  /** check() must be below this for the timing to be reported. */
  tolerance: number;
  /** FLOPs and bytes one run() does (napkin math, in the case's comment). */
  flops: number;
  bytes: number;
  /** GPU bytes this case allocated for the kernel's own work (inputs excluded), if it reports memory. */
  workspaceBytes?: number;
  dispose(): void;
}

export interface PeerInstance {
  /** Runs the same op once; returns the tensor(s) it produced (the harness syncs on them). */
  run(): unknown;
  /** Bytes tfjs holds on the GPU for one run (tf.memory() delta), if measured. */
  memoryBytes?: number;
  dispose(): void;
}

/**
 * Passed to `setup` by the harness (added by the bench package; optional, so existing cases
 * compile unchanged). `quick` (from `pnpm bench --quick`, used in CI): use small sizes.
 */
export interface BenchSetupOptions {
  quick: boolean;
}

export interface BenchCase<P = unknown> {
  /** Unique, human-readable: 'matmul 1024x1024x1024'. `--only` matches against it. */
  name: string;
  /** The kernel family, e.g. 'matmul'. */
  kernel: string;
  setup(gpu: Gpu, opts?: BenchSetupOptions): Promise<BenchInstance>;
  /** The same op composed from a peer's ops (tfjs-backend-webgpu) on the same adapter; P is its namespace. */
  peer?: { name: string; setup(peer: P, opts?: BenchSetupOptions): Promise<PeerInstance> };
  /** Shown in the report: the target this case must reach, e.g. '≥3× tfjs, ≥40% FMA ceiling'. */
  target?: string;
}
