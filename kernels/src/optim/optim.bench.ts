// AdamW over 10M parameters (one flat buffer, a model-like segment table with decay-excluded
// biases) vs tfjs's tf.train.adam updating the same number of parameters in 4 variables.
// Napkin math per parameter: read w, g, m, v and write w, m, v = 28 B, ~14 FLOPs
// → 10M params: 280 MB, 140 MFLOP per step. Bandwidth-bound: compare with the copy ceiling
// (at lavapipe's ~2–3 GB/s copy rate a step cannot beat ~100 ms).
import { randn, relErr } from '@pretext/gpu/testing';
import type { BenchCase } from '../bench-tf.js';
import { paramLayout, type Segment } from './layout.js';
import { adamStep } from './optim.js';
import { adamRef } from './optim.ref.js';

const size = (quick?: boolean) => (quick ? 1 << 20 : 10_000_000);
const HYPER = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.05, decoupled: true };

/** Weight matrices of 1M elements each followed by a 1000-element bias (no decay). */
function segmentsFor(n: number): Segment[] {
  const segs: Segment[] = [];
  for (let start = 0; start < n; ) {
    const w = Math.min(1_000_000, n - start);
    segs.push({ start, length: w });
    start += w;
    const b = Math.min(1000, n - start);
    if (b > 0) segs.push({ start, length: b, weightDecay: 0 });
    start += b;
  }
  return segs;
}

export const benches: BenchCase[] = [
  {
    name: 'optim adamw 10M params',
    kernel: 'optim',
    target: '≥2× tfjs, ≥50% copy ceiling',
    async setup(gpu, opts) {
      const n = size(opts?.quick);
      const segments = segmentsFor(n);
      const layout = paramLayout(gpu, n, segments);
      const [w0, gHost] = [randn(n, 1), randn(n, 2, 0.1)];
      const w = gpu.upload(w0);
      const g = gpu.upload(gHost);
      const m = gpu.upload(new Float32Array(n));
      const v = gpu.upload(new Float32Array(n));
      let step = 0;
      return {
        run: () => void adamStep(gpu, layout, w, g, { m, v }, { ...HYPER, step: ++step }),
        async check() {
          // after the first run(): one AdamW step from zero state
          const want = Float64Array.from(w0);
          const full = layout.segments;
          adamRef(want, gHost, new Float64Array(n), new Float64Array(n), full, { ...HYPER, step: 1 });
          return relErr(await gpu.download(w), want);
        },
        tolerance: 1e-6,
        flops: 14 * n,
        bytes: 28 * n,
        workspaceBytes: 8 * n,
        dispose() {
          for (const a of [w, g, m, v]) gpu.free(a);
          layout.dispose();
        },
      };
    },
    peer: {
      name: 'tf.train.adam over 4 variables',
      async setup(tf, opts) {
        const n = size(opts?.quick);
        const parts = 4;
        const len = Math.ceil(n / parts);
        const vars = Array.from({ length: parts }, (_, i) => tf.variable(tf.tensor1d(randn(len, 1 + i)), true, `bench_adam_w${i}`));
        const grads = vars.map((x, i) => ({ name: x.name, tensor: tf.tensor1d(randn(len, 10 + i, 0.1)) }));
        const opt = tf.train.adam(HYPER.lr, HYPER.beta1, HYPER.beta2, HYPER.eps);
        return {
          // returns nothing: the harness disposes what run() returns, and the variables must live
          run: () => void opt.applyGradients(grads),
          dispose() {
            opt.dispose();
            tf.dispose([...vars, ...grads.map((g) => g.tensor)]);
          },
        };
      },
    },
  },
];
