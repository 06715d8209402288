import { type Gpu, type GpuArray, KernelInputError } from '@pretext/gpu';
import { absErr, freshSeed, poisoned, randn, relErr, testGpu } from '@pretext/gpu/testing';
import { describe, expect, it } from 'vitest';
import { type ParamLayout, paramLayout, type Segment } from './layout.js';
import { clipByNorm, globalNorm, segmentNorms } from './norms.js';
import { adamStep, ema, larsStep, sgdStep } from './optim.js';
import { adamRef, clipByNormRef, emaRef, globalNormRef, larsRef, segmentNormsRef, sgdRef } from './optim.ref.js';

// A model-like layout over n = 5000 with awkward segments: a weight spanning 3 blocks, gaps
// (frozen elements), a 1-element bias and a 7-element norm excluded from decay, a 1025-element
// weight at half lr, and a frozen tail.
const N = 5000;
const SEGMENTS: Segment[] = [
  { start: 0, length: 2500 },
  { start: 2503, length: 1, weightDecay: 0 },
  { start: 2504, length: 7, weightDecay: 0, lr: 2 },
  { start: 2511, length: 1025, lr: 0.5 },
  { start: 3536, length: 1064, weightDecay: 0.5 },
];
const FROZEN = [2500, 2501, 2502, 4600, 4999];
const STEPS = 4;

/** relErr, but never relative to less than 1: parameters and state are O(1), and with n = 1 one
 *  value that happens to land near 0 would turn f32 rounding into a large relative error. */
function err(got: ArrayLike<number>, want: ArrayLike<number>): number {
  const scale = Math.max(1, ...Array.from(want, Math.abs));
  return relErr(got, want) * Math.max(...Array.from(want, Math.abs), 1e-30) / scale;
}

/** Runs STEPS optimizer steps on the GPU and in float64; returns relErr of w and of every state buffer. */
async function compare(
  seed: number,
  n: number,
  segments: Segment[] | undefined,
  nState: number,
  gpuStep: (t: number, gpu: Gpu, layout: ParamLayout, w: GpuArray, g: GpuArray, s: GpuArray[]) => void,
  refStep: (t: number, w: Float64Array, g: Float32Array, s: Float64Array[]) => void,
) {
  const gpu = await testGpu();
  const layout = paramLayout(gpu, n, segments);
  const w0 = randn(n, seed);
  const w = gpu.upload(w0);
  const state = Array.from({ length: nState }, () => gpu.upload(new Float32Array(n)));
  const wRef = Float64Array.from(w0);
  const sRef = Array.from({ length: nState }, () => new Float64Array(n));
  for (let t = 1; t <= STEPS; t++) {
    const gHost = randn(n, seed + t, 0.5);
    const g = gpu.upload(gHost);
    gpuStep(t, gpu, layout, w, g, state);
    refStep(t, wRef, gHost, sRef);
    gpu.free(g);
  }
  const got = await gpu.download(w);
  const errs = [err(got, wRef), ...(await Promise.all(state.map(async (s, i) => err(await gpu.download(s), sRef[i]))))];
  const frozen = segments ? FROZEN.filter((i) => i < n).map((i) => got[i] === w0[i]) : [];
  for (const a of [w, ...state]) gpu.free(a);
  layout.dispose();
  return { errs, frozen };
}
const full = (segs: Segment[] | undefined, n: number) =>
  (segs ?? [{ start: 0, length: n }]).map((s) => ({ weightDecay: 1, lr: 1, lars: (s.weightDecay ?? 1) !== 0, ...s }));

describe('optim', () => {
  for (const [n, segs] of [[N, SEGMENTS], [1, undefined], [777, undefined]] as const) {
    const segments = segs ? [...segs] : undefined;
    const label = `n=${n}${segs ? ', segments' : ''}`;
    for (const o of [
      { momentum: 0, nesterov: false, weightDecay: 0.1 },
      { momentum: 0.9, nesterov: false, weightDecay: 0.05 },
      { momentum: 0.8, nesterov: true, weightDecay: 0.05 },
    ]) {
      it(`sgdStep matches torch.optim.SGD over ${STEPS} steps (${label}, μ=${o.momentum}, nesterov=${o.nesterov})`, async () => {
        const seed = freshSeed();
        const { errs, frozen } = await compare(seed, n, segments, o.momentum ? 1 : 0,
          (_t, gpu, layout, w, g, s) => sgdStep(gpu, layout, w, g, s[0] ?? null, { lr: 0.1, ...o }),
          (t, w, g, s) => {
            // PyTorch starts the buffer at the first step's d (buf = null before it)
            const state = { buf: t === 1 ? null : s[0] };
            sgdRef(w, g, state, full(segments, n), { lr: 0.1, ...o });
            if (s[0] && state.buf) s[0].set(state.buf);
          });
        for (const e of errs) expect(e, `seed ${seed}`).toBeLessThan(1e-5);
        expect(frozen.every(Boolean), `seed ${seed}`).toBe(true);
      });
    }
    for (const decoupled of [false, true]) {
      it(`adamStep matches torch.optim.${decoupled ? 'AdamW' : 'Adam'} over ${STEPS} steps (${label})`, async () => {
        const seed = freshSeed();
        const o = { lr: 0.01, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: decoupled ? 0.1 : 0.01, decoupled };
        const { errs, frozen } = await compare(seed, n, segments, 2,
          (t, gpu, layout, w, g, s) => adamStep(gpu, layout, w, g, { m: s[0], v: s[1] }, { ...o, step: t }),
          (t, w, g, s) => adamRef(w, g, s[0], s[1], full(segments, n), { ...o, step: t }));
        for (const e of errs) expect(e, `seed ${seed}`).toBeLessThan(1e-5);
        expect(frozen.every(Boolean), `seed ${seed}`).toBe(true);
      });
    }
    it(`larsStep matches SimCLR's LARS over ${STEPS} steps (${label})`, async () => {
      const seed = freshSeed();
      for (const nesterov of [false, true]) {
        const o = { lr: 0.5, momentum: 0.9, weightDecay: 0.1, eta: 0.02, nesterov };
        const { errs, frozen } = await compare(seed, n, segments, 1,
          (_t, gpu, layout, w, g, s) => larsStep(gpu, layout, w, g, s[0], o),
          (_t, w, g, s) => larsRef(w, g, s[0], full(segments, n), o));
        for (const e of errs) expect(e, `seed ${seed} nesterov ${nesterov}`).toBeLessThan(1e-5);
        expect(frozen.every(Boolean), `seed ${seed}`).toBe(true);
      }
    });
  }

  it('segmentNorms, globalNorm and clipByNorm match the reference (no readback between them)', async () => {
    const gpu = await testGpu();
    const seed = freshSeed();
    const layout = paramLayout(gpu, N, SEGMENTS);
    const xHost = randn(N, seed);
    const x = gpu.upload(xHost);
    const norms = segmentNorms(gpu, layout, x, { out: poisoned(gpu, [SEGMENTS.length]) });
    expect(relErr(await gpu.download(norms), segmentNormsRef(xHost, SEGMENTS)), `seed ${seed}`).toBeLessThan(2e-6);
    for (const n of [1, 1000, 70001]) {
      const gHost = randn(n, seed + n, 3);
      const g = gpu.upload(gHost);
      const norm = globalNorm(gpu, g, { out: poisoned(gpu, [1]) });
      const want = globalNormRef(gHost);
      for (const maxNorm of [want / 4, want * 2]) {
        const g2 = gpu.upload(gHost);
        clipByNorm(gpu, g2, norm, maxNorm);
        expect(relErr(await gpu.download(g2), clipByNormRef(gHost, maxNorm)), `seed ${seed} n ${n}`).toBeLessThan(2e-6);
        gpu.free(g2);
      }
      expect(relErr(await gpu.download(norm), [want]), `seed ${seed} n ${n}`).toBeLessThan(2e-6);
      gpu.free(g);
      gpu.free(norm);
    }
    layout.dispose();
  });

  it('ema matches the reference', async () => {
    const gpu = await testGpu();
    for (const n of [1, 4099]) {
      const seed = freshSeed();
      const [tHost, sHost] = [randn(n, seed), randn(n, seed + 1)];
      const t = gpu.upload(tHost);
      ema(gpu, t, gpu.upload(sHost), 0.996);
      // m·t + (1 − m)·s rounds to within 2 ulp of |m·t| + |(1 − m)·s|, not of the (possibly cancelled) result
      const scale = Math.max(...tHost.map((v, i) => Math.abs(v) + Math.abs(sHost[i])));
      expect(absErr(await gpu.download(t), emaRef(tHost, sHost, 0.996)), `seed ${seed}`).toBeLessThan(2 ** -22 * scale);
    }
  });

  it('rejects bad input with the kernel and argument named', async () => {
    const gpu = await testGpu();
    expect(() => paramLayout(gpu, 10, [{ start: 0, length: 6 }, { start: 5, length: 2 }])).toThrow(/optim\.layout: argument 'segments': segments\[1\] starts at 5, before the end/);
    expect(() => paramLayout(gpu, 10, [{ start: 8, length: 3 }])).toThrow(/runs past n = 10/);
    expect(() => paramLayout(gpu, 10, [{ start: 0, length: 0 }])).toThrow(KernelInputError);
    expect(() => paramLayout(gpu, 10, [{ start: 0, length: 3, weightDecay: -1 }])).toThrow(/multipliers/);
    const layout = paramLayout(gpu, 10);
    const [w, g, m] = [gpu.upload(new Float32Array(10)), gpu.upload(new Float32Array(10)), gpu.upload(new Float32Array(10))];
    expect(() => sgdStep(gpu, layout, w, gpu.upload(new Float32Array(9)), null, { lr: 1 })).toThrow(/optim\.sgd: argument 'grads': must hold 10 elements/);
    expect(() => sgdStep(gpu, layout, w, gpu.upload(new Int32Array(10)), null, { lr: 1 })).toThrow(/'grads': dtype must be f32/);
    expect(() => sgdStep(gpu, layout, w, g, null, { lr: 1, momentum: 0.9 })).toThrow(/'momentumBuf': a zero-initialised state buffer/);
    expect(() => sgdStep(gpu, layout, w, g, m, { lr: 1, nesterov: true })).toThrow(/'nesterov'/);
    expect(() => sgdStep(gpu, layout, w, g, m, { lr: Number.NaN })).toThrow(/'lr': must be finite/);
    expect(() => adamStep(gpu, layout, w, g, { m, v: m }, { lr: 1, step: 0 })).toThrow(/optim\.adam: argument 'step'/);
    expect(() => adamStep(gpu, layout, w, g, { m, v: m }, { lr: 1, step: 1, beta2: 1, decoupled: true })).toThrow(/optim\.adamw: argument 'beta2'/);
    expect(() => larsStep(gpu, layout, w, g, m, { lr: 1, eta: 0 })).toThrow(/optim\.lars: argument 'eta'/);
    expect(() => clipByNorm(gpu, g, g, 1)).toThrow(/optim\.clipByNorm: argument 'norm': must be f32 \[1\]/);
    expect(() => clipByNorm(gpu, g, gpu.empty([1]), 0)).toThrow(/'maxNorm'/);
    expect(() => ema(gpu, w, g, 1.5)).toThrow(/optim\.ema: argument 'm'/);
    expect(() => ema(gpu, w, gpu.empty([3]), 0.5)).toThrow(/optim\.ema: argument 'source': must hold 10/);
    expect(() => globalNorm(gpu, gpu.empty([0]))).toThrow(/empty tensor/);
    expect(() => segmentNorms(gpu, layout, w, { out: gpu.empty([2]) })).toThrow(/'out'/);
  });
});
