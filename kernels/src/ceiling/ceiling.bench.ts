// The adapter's ceilings, measured in every bench run (the harness runs these first and
// reports each kernel as a fraction of the best of them).
// Napkin math: fma full = 16384 invocations × 1024 iters × 64 FLOPs = 1.07 GFLOP per run
// (~70 ms at lavapipe's ~16 GFLOP/s); copy full = 16 Mi floats, 64 MiB read + 64 MiB written.
import type { GpuArray } from '@pretext/gpu';
import { randn, relErr } from '@pretext/gpu/testing';
import type { BenchCase } from '../bench-tf.js';
import { copyCeiling, FMA_FLOPS_PER_ITER, fmaCeiling } from './ceiling.js';
import { fmaCeilingRef } from './ceiling.ref.js';

const fmaCase = (fused: boolean): BenchCase => ({
  name: `ceiling fma ${fused ? 'fma()' : 'a*m+c'}`,
  kernel: 'ceiling',
  async setup(gpu, opts) {
    const [n, iters] = opts?.quick ? [4096, 256] : [16384, 1024];
    const out = gpu.empty([n]);
    const checked = 64; // outputs compared with the float64 reference
    return {
      run: () => void fmaCeiling(gpu, { n, iters, fused, out }),
      check: async () => relErr((await gpu.download(out)).subarray(0, checked), fmaCeilingRef(checked, iters)),
      tolerance: 1e-5,
      flops: n * iters * FMA_FLOPS_PER_ITER,
      bytes: n * 4,
      dispose: () => gpu.free(out),
    };
  },
});

const copyCase: BenchCase = {
  name: 'ceiling copy vec4',
  kernel: 'ceiling',
  async setup(gpu, opts) {
    const n = opts?.quick ? 1 << 20 : 1 << 24;
    const data = randn(n, 1);
    const x = gpu.upload(data);
    const out: GpuArray = gpu.empty([n]);
    return {
      run: () => void copyCeiling(gpu, x, { out }),
      check: async () => relErr(await gpu.download(out), data),
      tolerance: 0,
      flops: 0,
      bytes: 2 * 4 * n,
      dispose: () => {
        gpu.free(x);
        gpu.free(out);
      },
    };
  },
};

export const benches: BenchCase[] = [fmaCase(false), fmaCase(true), copyCase];
