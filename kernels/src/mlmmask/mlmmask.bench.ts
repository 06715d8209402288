// Masked-LM corruption of one batch of 32 × 128 tokens (the mlm task's step). Napkin math per row:
// every row's token counts (B·T reads: the exact batch quotas), T Threefry keys, T² rank
// comparisons in workgroup memory → 32 rows: ~0.67 M comparisons, ~0.5 MB read. No peer: tfjs has
// no exact-count masking (a host-side Bernoulli mask is what a tfjs user would write).
import { rng } from '@pretext/gpu/testing';
import type { BenchCase } from '../bench-case.js';
import { mlmMask } from './mlmmask.js';
import { mlmMaskRef } from './mlmmask.ref.js';

export const benches: BenchCase[] = [
  {
    name: 'mlmMask B=32 T=128',
    kernel: 'mlmmask',
    async setup(gpu, opts) {
      const [b, t] = opts?.quick ? [8, 128] : [32, 128];
      const r = rng(1);
      const ids = Int32Array.from({ length: b * t }, () => 4 + Math.floor(r() * 366));
      const x = gpu.upload(ids, [b, t]);
      const inputs = gpu.empty([b, t], 'i32');
      const targets = gpu.empty([b * t], 'i32');
      const o = { vocab: 370, special: 4, maskId: 1, seed: 7, inputs, targets };
      return {
        run: () => void mlmMask(gpu, x, o),
        check: async () => {
          const want = mlmMaskRef(ids, { b, t, vocab: 370, special: 4, maskId: 1, rateQ: 1500, maskQ: 8000, randomQ: 1000, seed: 7, stream: 0, ignore: -100 });
          const got = await gpu.download(targets);
          return got.every((v, i) => v === want.targets[i]) ? 0 : 1;
        },
        tolerance: 0,
        flops: b * (b * t + 60 * t + 2 * t * t),
        bytes: 4 * (b * b * t + 3 * b * t),
        dispose: () => [x, inputs, targets].forEach((a) => gpu.free(a)),
      };
    },
  },
];
