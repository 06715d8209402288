// conv2d forward + backward (dx, dw) for the SimCLR ConvNet's 3×3 layers vs tfjs on the same
// adapter: tf.conv2d, tf.conv2dTranspose (= Conv2D's dx) and the Conv2DBackpropFilter kernel
// (= its dw) — the ops tf.grads would run; tfjs-core alone registers no gradients.
// Napkin math per layer: each of forward, dx and dw is 2·N·Cout·Ho·Wo·Cin·9 FLOPs, so a run()
// is 3× that: batch 64, 32→64 at 14×14 is 3 × 0.46 = 1.39 GFLOP. Compute bound (bytes are a few
// MB); the yardstick is the adapter's FMA ceiling (the `ceiling` bench).
import type { Gpu } from '@pretext/gpu';
import { randn, relErr } from '@pretext/gpu/testing';
import type { BenchCase, Tf } from '../bench-tf.js';
import { type Conv2dOptions, conv2d, conv2dBackwardData, conv2dBackwardWeight, conv2dGeometry } from './conv2d.js';
import { conv2dBackwardRef, conv2dRef } from './conv2d.ref.js';

// (Cin, Cout, H = W): conv blocks of width 32/64/128 on 28×28, a 2×2 pool between blocks; and the
// quick preset's (width 16) middle block, which 'auto' sends to Winograd from 16 channels on
const layers: [number, number, number][] = [
  [1, 32, 28],
  [32, 64, 14],
  [64, 128, 7],
  [16, 32, 14],
];

/** algo 'auto' is the case tfjs is compared with; 'direct', 'gemm' and 'winograd' show the paths side by side. */
function bench([cin, cout, hw]: [number, number, number], algo: Conv2dOptions['algo'] = 'auto'): BenchCase {
  const shapes = (quick: boolean) => {
    const n = quick ? 8 : 64;
    return { n, x: [n, cin, hw, hw], w: [cout, cin, 3, 3], y: [n, cout, hw, hw] };
  };
  const numel = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
  return {
    name: `conv2d ${algo === 'auto' ? '' : `${algo} `}fwd+bwd 3x3 ${cin}->${cout} @${hw}x${hw} batch 64`,
    kernel: 'conv2d',
    target: '≥35% FMA ceiling (SimCLR ConvNet step)',
    async setup(gpu: Gpu, opts) {
      const s = shapes(opts?.quick ?? false);
      const [xh, wh, dyh] = [randn(numel(s.x), 1), randn(numel(s.w), 2, 0.2), randn(numel(s.y), 3)];
      const [x, w, dy] = [gpu.upload(xh, s.x), gpu.upload(wh, s.w), gpu.upload(dyh, s.y)];
      const [y, dx, dw] = [gpu.empty(s.y), gpu.empty(s.x), gpu.empty(s.w)];
      const o = { padding: 1, algo };
      const g = conv2dGeometry('conv2d', s.x, s.w, o);
      const flops = 3 * 2 * s.n * cout * hw * hw * cin * 9;
      return {
        run() {
          conv2d(gpu, x, w, null, { ...o, out: y });
          conv2dBackwardData(gpu, dy, w, s.x, { ...o, out: dx });
          conv2dBackwardWeight(gpu, dy, x, s.w, { ...o, out: dw });
        },
        async check() {
          const ref = conv2dBackwardRef(g, dyh, xh, wh);
          return Math.max(
            relErr(await gpu.download(y), conv2dRef(g, xh, wh)),
            relErr(await gpu.download(dx), ref.dx),
            relErr(await gpu.download(dw), ref.dw),
          );
        },
        tolerance: 1e-4,
        flops,
        bytes: 4 * (2 * numel(s.x) + 2 * numel(s.y) + 2 * numel(s.w)),
        dispose: () => [x, w, dy, y, dx, dw].forEach((a) => gpu.free(a)),
      };
    },
    peer: algo !== 'auto' ? undefined : {
      name: 'tf.conv2d + conv2dTranspose + Conv2DBackpropFilter (NHWC)',
      async setup(tf: Tf, opts) {
        const s = shapes(opts?.quick ?? false);
        const x = tf.tensor4d(randn(numel(s.x), 1), [s.n, hw, hw, cin]);
        const w = tf.tensor4d(randn(numel(s.w), 2, 0.2), [3, 3, cin, cout]);
        const dy = tf.tensor4d(randn(numel(s.y), 3), [s.n, hw, hw, cout]);
        const attrs = { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: [3, 3, cin, cout] };
        return {
          run: () => [
            tf.conv2d(x, w, 1, 'same'),
            tf.conv2dTranspose(dy, w, [s.n, hw, hw, cin], 1, 'same'),
            tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs as never),
          ],
          dispose: () => tf.dispose([x, w, dy]),
        };
      },
    },
  };
}

// 'winograd' runs forward, dx and dw by Winograd F(2×2, 3×3) (Cin % 4 == 0 only)
export const benches: BenchCase[] = layers.flatMap((l) => [
  bench(l),
  bench(l, 'direct'),
  bench(l, 'gemm'),
  ...(l[0] % 4 === 0 ? [bench(l, 'winograd')] : []),
]);
