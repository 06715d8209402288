import { type Gpu, KernelInputError } from '@pretext/gpu';
import { freshSeed, poisoned, randn, randu, relErr, rng, testGpu } from '@pretext/gpu/testing';
import { describe, expect, it } from 'vitest';
import { logSoftmax, logSoftmaxBackward, type SoftmaxMaskOpts, softmax, softmaxBackward, softmaxTuning, softmaxVariant } from './softmax.js';
import { type SoftmaxRefMask, softmaxGradRef, softmaxRef } from './softmax.ref.js';

type MaskSpec = 'none' | 'bool' | 'i32' | 'additive' | 'neginf';

interface Case {
  shape: number[];
  mask?: MaskSpec;
  causal?: boolean;
  causalOffset?: number;
  scale?: number;
  std?: number;
  /** relative-error bound for dx (f32 rounding of scale·x grows with the logits' magnitude) */
  tolDx?: number;
  /** the first mask row drops every key */
  allMasked?: boolean;
}

// Builds the mask (B, L) on host: random keeps (≈70%), a fully dropped first row when asked.
function makeMask(spec: MaskSpec, b: number, len: number, seed: number, allMasked: boolean): SoftmaxRefMask['mask'] & { host: Float32Array | Uint32Array | Int32Array } {
  const r = rng(seed ^ 0x5bd1e995);
  const keep = Array.from({ length: b * len }, (_, i) => (allMasked && i < len ? false : r() < 0.7));
  if (spec === 'bool' || spec === 'i32') {
    const host = spec === 'bool' ? Uint32Array.from(keep, (k) => (k ? 1 : 0)) : Int32Array.from(keep, (k) => (k ? 1 : 0));
    return { data: host, shape: [b, len], additive: false, host };
  }
  const host = Float32Array.from(keep, (k) => (k ? r() * 2 - 1 : spec === 'neginf' ? -Infinity : -2e38));
  return { data: host, shape: [b, len], additive: true, host };
}

async function runCase(gpu: Gpu, c: Case, log: boolean): Promise<void> {
  const seed = freshSeed();
  const n = c.shape.reduce((a, b) => a * b, 1);
  const len = c.shape[c.shape.length - 1];
  const data = randn(n, seed, c.std ?? 2);
  const x = gpu.upload(data, c.shape);
  const maskB = c.shape.length >= 2 ? c.shape[0] : 1;
  const hostMask = c.mask && c.mask !== 'none' ? makeMask(c.mask, maskB, len, seed, c.allMasked ?? false) : undefined;
  const mask = hostMask ? gpu.upload(hostMask.host, hostMask.shape) : undefined;
  const refOpts: SoftmaxRefMask = { scale: c.scale, causal: c.causal, causalOffset: c.causalOffset, mask: hostMask };
  const opts: SoftmaxMaskOpts = { scale: c.scale, causal: c.causal, causalOffset: c.causalOffset, mask };
  const what = `seed ${seed} ${log ? 'logSoftmax' : 'softmax'} ${JSON.stringify(c)}`;

  const y = poisoned(gpu, c.shape);
  (log ? logSoftmax : softmax)(gpu, x, { ...opts, out: y });
  const got = await gpu.download(y);
  const want = softmaxRef(data, c.shape, refOpts, log);
  // −∞ (masked log-softmax entries) must match exactly; compare the finite rest
  for (let i = 0; i < n; i++) {
    if (want[i] === -Infinity) {
      expect(got[i], `${what} at ${i}`).toBe(-Infinity);
      got[i] = 0;
      want[i] = 0;
    }
  }
  expect(got.every(Number.isFinite), `${what}: non-finite output`).toBe(true);
  // f32 rounds scale·x by up to |scale·x|·ε before the exp: an absolute error in the logit that
  // the output inherits (∂y/∂v ≤ 1 for softmax, = 1 for log-softmax); the float64 reference has none
  const xMax = data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const logitFloor = Math.abs(c.scale ?? 1) * xMax * 1.2e-7;
  expect(relErr(got, want), `${what} (logit rounding floor ${logitFloor})`).toBeLessThan((log ? 2e-6 : 2e-5) + logitFloor);

  // backward from the GPU's own y
  const dyHost = randn(n, seed + 1);
  const dy = gpu.upload(dyHost, c.shape);
  const dx = poisoned(gpu, c.shape);
  (log ? logSoftmaxBackward : softmaxBackward)(gpu, y, dy, { scale: c.scale, out: dx });
  const gotDx = await gpu.download(dx);
  const wantDx = softmaxGradRef(data, c.shape, refOpts, dyHost, log);
  expect(gotDx.every(Number.isFinite), `${what}: non-finite dx`).toBe(true);
  // dx = scale·y⊙(dy − Σ dy⊙y) cancels when a row saturates (y ≈ one-hot): in f32 the sum alone
  // carries an absolute error of about len·ε·max|dy|, times scale. Allow that floor, no more.
  let maxErr = 0;
  let maxWant = 0;
  for (let i = 0; i < n; i++) {
    maxErr = Math.max(maxErr, Math.abs(gotDx[i] - wantDx[i]));
    maxWant = Math.max(maxWant, Math.abs(wantDx[i]));
  }
  const dyMax = dyHost.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const floor = 4 * len * 1.2e-7 * Math.abs(c.scale ?? 1) * dyMax;
  expect(maxErr, `${what} backward (max |dx| ${maxWant}, f32 floor ${floor})`).toBeLessThan((c.tolDx ?? 5e-5) * maxWant + floor);
  for (const a of [x, y, dy, dx, ...(mask ? [mask] : [])]) gpu.free(a);
}

const cases: Case[] = [
  { shape: [3, 1] },
  { shape: [5, 7] },
  { shape: [1, 7], mask: 'bool' },
  { shape: [4, 3, 1000], mask: 'additive', scale: 0.125 },
  { shape: [2, 4097], mask: 'bool' },
  { shape: [3, 4097], mask: 'neginf', allMasked: true },
  { shape: [130, 33], std: 1e4 }, // logits of ±1e4 magnitude
  { shape: [130, 33], scale: 1e4, std: 1, tolDx: 3e-2 }, // ±1e4 after scaling: f32 scale·x is off by ~1e4·6e-8 in the exponent
  { shape: [2, 3, 9, 9], causal: true },
  { shape: [2, 2, 5, 13], causal: true, causalOffset: 8, mask: 'i32' }, // rectangular rows, causal + padding
  { shape: [3, 2, 6, 6], causal: true, mask: 'bool', allMasked: true },
  { shape: [2, 5, 6], causal: true, causalOffset: -2, mask: 'additive' }, // first rows fully masked by the diagonal
  { shape: [4, 8], mask: 'neginf', allMasked: true },
  { shape: [2, 64], mask: 'additive', allMasked: true }, // −2e38 entries count as masked
  // len % 4 == 0: the *_sg.wgsl shaders on adapters with subgroups (4·SG vec4s a step, tails inside a step)
  { shape: [3, 5, 36], mask: 'bool' },
  { shape: [2, 3, 260], mask: 'neginf', allMasked: true },
  { shape: [2, 3, 8, 12], causal: true },
  { shape: [2, 2, 6, 20], causal: true, causalOffset: 14, mask: 'i32' },
  { shape: [2, 5, 8], causal: true, causalOffset: -2, mask: 'additive' },
  { shape: [131, 32], std: 1e4 }, // rows not a multiple of the 8 per workgroup
  { shape: [131, 36], scale: 1e4, std: 1, tolDx: 3e-2 },
  { shape: [2, 4096], mask: 'bool', scale: 0.3 },
];

/** Whether this adapter runs the *_sg.wgsl shaders for 4-aligned rows (subgroups on and of a width they take). */
const sgAdapter = (gpu: Gpu): boolean => gpu.subgroupWidth() > 0;

describe('softmax', () => {
  for (const log of [false, true]) {
    for (const c of cases) {
      it(`${log ? 'logSoftmax' : 'softmax'} ${JSON.stringify(c)} forward and backward`, async () => {
        const gpu = await testGpu();
        const len = c.shape[c.shape.length - 1];
        expect(softmaxVariant(gpu, len)).toBe(sgAdapter(gpu) && len % 4 === 0 ? 'sg' : 'rows');
        await runCase(gpu, c, log);
      });
    }
  }

  // the 4-aligned cases again through softmax.wgsl / softmax_backward.wgsl, the fallback for other adapters
  for (const log of [false, true]) {
    it(`${log ? 'logSoftmax' : 'softmax'} fallback (softmax.wgsl) on 4-aligned rows`, async () => {
      const gpu = await testGpu();
      softmaxTuning.sg = false;
      try {
        for (const c of cases.filter((k) => k.shape[k.shape.length - 1] % 4 === 0)) {
          expect(softmaxVariant(gpu, c.shape[c.shape.length - 1])).toBe('rows');
          await runCase(gpu, c, log);
        }
      } finally {
        softmaxTuning.sg = true;
      }
    });
  }

  it('broadcasts a (1, L) or (L) mask over every row', async () => {
    const gpu = await testGpu();
    const seed = freshSeed();
    const data = randn(6 * 10, seed);
    const keep = Uint32Array.from({ length: 10 }, (_, j) => (j % 3 === 0 ? 0 : 1));
    const x = gpu.upload(data, [2, 3, 10]);
    const want = softmaxRef(data, [2, 3, 10], { mask: { data: keep, shape: [1, 10], additive: false } });
    for (const shape of [[1, 10], [10]]) {
      const y = poisoned(gpu, [2, 3, 10]);
      softmax(gpu, x, { mask: gpu.upload(keep, shape), out: y });
      expect(relErr(await gpu.download(y), want), `seed ${seed} mask ${shape}`).toBeLessThan(2e-6);
    }
  });

  it('rejects bad input with the kernel and argument named', async () => {
    const gpu = await testGpu();
    const x = gpu.upload(randu(24, 1), [2, 3, 4]);
    expect(() => softmax(gpu, gpu.upload(new Int32Array(4)))).toThrow(KernelInputError);
    expect(() => softmax(gpu, gpu.upload(new Int32Array(4)))).toThrow(/softmax: argument 'x': dtype must be f32/);
    expect(() => softmax(gpu, x, { mask: gpu.empty([3, 4], 'u32') })).toThrow(/softmax: argument 'mask': shape \[3, 4\] does not broadcast to x \[2, 3, 4\]/);
    expect(() => softmax(gpu, x, { mask: gpu.empty([2, 5], 'f32') })).toThrow(/'mask'/);
    expect(() => logSoftmax(gpu, x, { scale: Number.NaN })).toThrow(/logSoftmax: argument 'scale': must be finite/);
    expect(() => softmax(gpu, x, { causal: true, causalOffset: 0.5 })).toThrow(/'causalOffset': must be an integer/);
    expect(() => softmax(gpu, gpu.empty([7]), { causal: true })).toThrow(/causal needs x of rank ≥ 2/);
    expect(() => softmax(gpu, gpu.empty([0, 3]))).toThrow(/empty tensor \[0, 3\]/);
    expect(() => softmax(gpu, x, { out: gpu.empty([5]) })).toThrow(/'out'/);
    expect(() => softmaxBackward(gpu, x, gpu.empty([2, 4, 3]))).toThrow(/softmaxBackward: argument 'dy': shape \[2, 4, 3\] must equal y's \[2, 3, 4\]/);
  });
});
