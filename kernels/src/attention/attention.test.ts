import { type Gpu, KernelInputError } from '@pretext/gpu';
import { freshSeed, poisoned, randn, relErr, rng, testGpu } from '@pretext/gpu/testing';
import { describe, expect, it } from 'vitest';
import { attention, attentionBackward, attentionTuning, attentionVariant } from './attention.js';
import { type AttentionRefInput, attentionBackwardRef, attentionRef } from './attention.ref.js';

interface Case {
  b?: number; h?: number; tq: number; tk?: number; d: number;
  mask?: 'bool' | 'i32' | 'additive';
  /** relative-error bound for O and L (f32 rounding of large scores) */
  tol?: number;
  /** Gradient tolerance relative to the largest gradient, above the f32 floor (default 5e-5). */
  tolGrad?: number;
  /** batch 0 drops every key: its rows must give O = 0, L = −∞ and zero grads */
  dropBatch0?: boolean;
  /** the last batch also drops every key from Tk/2 on (padded sequences: whole key tiles masked) */
  tailPad?: boolean;
  causal?: boolean; causalOffset?: number; scale?: number;
}

async function runCase(gpu: Gpu, c: Case): Promise<void> {
  const seed = freshSeed();
  const b = c.b ?? 2;
  const h = c.h ?? 2;
  const tk = c.tk ?? c.tq;
  const { tq, d } = c;
  const what = `seed ${seed} ${JSON.stringify(c)}`;
  const qh = randn(b * h * tq * d, seed);
  const kh = randn(b * h * tk * d, seed + 1);
  const vh = randn(b * h * tk * d, seed + 2);
  const doh = randn(b * h * tq * d, seed + 3);
  const r = rng(seed + 4);
  // keep ~75% of the keys, always key 0 unless batch 0 is dropped
  const padded = (i: number) => c.tailPad && i >= (b - 1) * tk && i % tk >= tk / 2;
  const keep = Array.from({ length: b * tk }, (_, i) => !(c.dropBatch0 && i < tk) && !padded(i) && (i % tk === 0 || r() < 0.75));
  let maskHost: Float32Array | Uint32Array | Int32Array | undefined;
  if (c.mask === 'bool') maskHost = Uint32Array.from(keep, Number);
  if (c.mask === 'i32') maskHost = Int32Array.from(keep, Number);
  if (c.mask === 'additive') maskHost = Float32Array.from(keep, (k) => (k ? r() - 0.5 : -Infinity));
  const refIn: AttentionRefInput = {
    q: qh, k: kh, v: vh, b, h, tq, tk, d, scale: c.scale, causal: c.causal, causalOffset: c.causalOffset,
    mask: maskHost && { data: maskHost, additive: c.mask === 'additive' },
  };
  const [q, k, v, dout] = [[qh, tq], [kh, tk], [vh, tk], [doh, tq]].map(([data, t]) => gpu.upload(data as Float32Array, [b, h, t as number, d]));
  const mask = maskHost && gpu.upload(maskHost, [b, tk]);
  const opts = { scale: c.scale, causal: c.causal, causalOffset: c.causalOffset, mask };

  const out = poisoned(gpu, [b, h, tq, d]);
  const lse = poisoned(gpu, [b, h, tq]);
  attention(gpu, q, k, v, { ...opts, out, lse });
  const want = attentionRef(refIn);
  const gotO = await gpu.download(out);
  const gotL = await gpu.download(lse);
  expect(gotO.every(Number.isFinite), `${what}: non-finite O`).toBe(true);
  expect(relErr(gotO, want.out), `${what} O`).toBeLessThan(c.tol ?? 1e-5);
  for (let i = 0; i < gotL.length; i++) {
    if (want.lse[i] === -Infinity) {
      expect(gotL[i], `${what} L[${i}] of a fully masked row`).toBe(-Infinity);
      gotL[i] = 0;
      want.lse[i] = 0;
    }
  }
  expect(relErr(gotL, want.lse), `${what} L`).toBeLessThan(1e-5);

  const dq = poisoned(gpu, [b, h, tq, d]);
  const dk = poisoned(gpu, [b, h, tk, d]);
  const dv = poisoned(gpu, [b, h, tk, d]);
  attentionBackward(gpu, q, k, v, out, lse, dout, { ...opts, dq, dk, dv });
  const wantG = attentionBackwardRef(refIn, doh);
  for (const [name, arr, ref] of [['dQ', dq, wantG.dq], ['dK', dk, wantG.dk], ['dV', dv, wantG.dv]] as const) {
    const got = await gpu.download(arr);
    expect(got.every(Number.isFinite), `${what}: non-finite ${name}`).toBe(true);
    // f32 floor: dS = P⊙(dP − D) cancels on near-one-hot rows, an absolute error of about
    // d·ε·|dO|·|V| per score (P-weighted over keys), carried into dQ/dK by scale·|K| or |Q|
    let maxErr = 0;
    let maxWant = 0;
    for (let i = 0; i < got.length; i++) {
      maxErr = Math.max(maxErr, Math.abs(got[i] - ref[i]));
      maxWant = Math.max(maxWant, Math.abs(ref[i]));
    }
    const amax = (a: ArrayLike<number>) => Array.from(a).reduce((m, x) => Math.max(m, Math.abs(x)), 0);
    const scale = Math.abs(c.scale ?? 1 / Math.sqrt(d));
    const floor = name === 'dV' ? 0 : 8 * d * 1.2e-7 * scale * amax(doh) * amax(vh) * Math.max(amax(qh), amax(kh));
    expect(maxErr, `${what} ${name} (max |${name}| ${maxWant}, f32 floor ${floor})`).toBeLessThan((c.tolGrad ?? 5e-5) * maxWant + floor);
  }
  for (const a of [q, k, v, dout, out, lse, dq, dk, dv, ...(mask ? [mask] : [])]) gpu.free(a);
}

const variants: Omit<Case, 'tq' | 'd'>[] = [{}, { mask: 'bool' }, { causal: true }, { causal: true, mask: 'additive' }];
const cases: Case[] = [];
for (const [n, tq] of [1, 5, 33, 130].entries())
  for (const [m, d] of [8, 16, 64].entries()) cases.push({ tq, d, ...variants[(n + m) % variants.length] });
// the subgroup shaders' edges at SG = 8 (SG = 4): K4 = d/4 of 1, 3, 8 (one register chunk; two), 9 (two chunks, two output chunks; three)
const variants2: Omit<Case, 'tq' | 'd'>[] = [{ mask: 'additive' }, { causal: true, mask: 'bool' }, {}, { causal: true }];
for (const [n, tq] of [1, 7, 33, 130].entries())
  for (const [m, d] of [4, 12, 32, 36].entries()) cases.push({ tq, d, b: 1, ...variants2[(n + m) % variants2.length] });
cases.push(
  { tq: 7, tk: 70, d: 24, mask: 'i32', scale: 0.3 }, // cross-attention, d not a power of two
  { tq: 70, tk: 9, d: 13, causal: true, causalOffset: -3, mask: 'bool' }, // d % 4 ≠ 0; first rows see no key
  { tq: 40, tk: 66, d: 128, causal: true, causalOffset: 26, b: 1, h: 3 }, // d = 128, bottom-right causal
  { tq: 33, d: 16, mask: 'bool', dropBatch0: true, causal: true },
  { tq: 5, tk: 12, d: 8, mask: 'additive', dropBatch0: true },
  // scores of ~±1000: the online max keeps exp finite; f32 scores are off by ~1e3·6e-8
  { tq: 9, d: 8, scale: 300, tol: 2e-4 },
  { tq: 40, tk: 37, d: 32, scale: 60, tol: 2e-4, mask: 'bool' },
  { tq: 50, tk: 130, d: 32, mask: 'bool', tailPad: true },
  { tq: 130, d: 16, mask: 'additive', tailPad: true, causal: true },
  { tq: 12, tk: 45, d: 36, mask: 'additive', dropBatch0: true, causal: true, causalOffset: 33 },
  // a KV cache: the new token (or a chunk) against a cache of Tmax keys of which the first
  // offset + Tq are filled; causal hides the rest (decoding one token, and a chunk after a prefix)
  { tq: 1, tk: 70, d: 32, causal: true, causalOffset: 40, b: 1, h: 4 },
  { tq: 1, tk: 257, d: 32, causal: true, causalOffset: 255, b: 3, h: 3 },
  { tq: 1, tk: 33, d: 12, causal: true, causalOffset: 0 },
  { tq: 5, tk: 64, d: 16, causal: true, causalOffset: 20, mask: 'bool' },
);

const lanes = (gpu: Gpu): boolean => gpu.subgroupWidth() > 0;

// every case through both shader sets: 'sg' (subgroups, d % 4 == 0) and the portable 'tiles'
for (const path of ['sg', 'tiles'] as const) {
  describe(`attention (${path} shaders)`, () => {
    for (const c of cases) {
      it(`${JSON.stringify(c)} forward and backward`, async () => {
        const gpu = await testGpu();
        attentionTuning.sg = path === 'sg';
        try {
          const want = path === 'sg' && c.d % 4 === 0 && lanes(gpu) ? 'sg' : 'tiles';
          expect(attentionVariant(gpu, c.d)).toBe(want);
          await runCase(gpu, c);
        } finally {
          attentionTuning.sg = true;
        }
      });
    }
  });
}

describe('attention', () => {
  it('takes the subgroup shaders on an adapter with subgroups when d % 4 == 0', async () => {
    const gpu = await testGpu();
    expect(attentionVariant(gpu, 32)).toBe(lanes(gpu) ? 'sg' : 'tiles');
    expect(attentionVariant(gpu, 13)).toBe('tiles');
  });

  it('rejects bad input with the kernel and argument named', async () => {
    const gpu = await testGpu();
    const q = gpu.empty([2, 3, 5, 8]);
    const k = gpu.empty([2, 3, 7, 8]);
    expect(() => attention(gpu, q, k, gpu.empty([2, 3, 7, 4]))).toThrow(KernelInputError);
    expect(() => attention(gpu, q, k, gpu.empty([2, 3, 7, 4]))).toThrow(/attention: argument 'v': head size d = 4 differs from q's 8/);
    expect(() => attention(gpu, q, gpu.empty([2, 3, 7, 6]), k)).toThrow(/argument 'k': head size d = 6/);
    expect(() => attention(gpu, q, gpu.empty([2, 2, 7, 8]), gpu.empty([2, 2, 7, 8]))).toThrow(/argument 'k': must be f32 \[2, 3, 7, 8\], got f32 \[2, 2, 7, 8\]/);
    expect(() => attention(gpu, q, k, gpu.empty([2, 3, 6, 8]))).toThrow(/argument 'v': must be f32 \[2, 3, 7, 8\], got f32 \[2, 3, 6, 8\]/);
    expect(() => attention(gpu, gpu.empty([5, 8]), k, k)).toThrow(/argument 'q': must be \(B, H, T, d\), got \[5, 8\]/);
    const big = gpu.empty([1, 1, 2, 130]);
    expect(() => attention(gpu, big, big, big)).toThrow(/head size d = 130 exceeds the supported 128/);
    expect(() => attention(gpu, q, k, k, { mask: gpu.empty([2, 5], 'u32') })).toThrow(/argument 'mask': key padding mask must be \(B, Tk\) = \[2, 7\], got \[2, 5\]/);
    expect(() => attention(gpu, q, k, k, { scale: Number.POSITIVE_INFINITY })).toThrow(/argument 'scale': must be finite/);
    expect(() => attention(gpu, gpu.empty([2, 3, 5, 8], 'i32'), k, k)).toThrow(/argument 'q': dtype must be f32/);
    expect(() => attention(gpu, gpu.empty([2, 0, 5, 8]), k, k)).toThrow(/empty tensor/);
    const o = gpu.empty([2, 3, 5, 8]);
    expect(() => attentionBackward(gpu, q, k, k, o, gpu.empty([2, 3, 4]), o)).toThrow(/attentionBackward: argument 'lse': must be f32 \[2, 3, 5\], got f32 \[2, 3, 4\]/);
    expect(() => attentionBackward(gpu, q, k, k, o, gpu.empty([2, 3, 5]), gpu.empty([2, 3, 5, 7]))).toThrow(/argument 'dout'/);
  });
});
