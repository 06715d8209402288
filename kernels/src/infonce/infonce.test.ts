import { destroyGpu, type Gpu, type GpuArray, KernelInputError } from '@pretext/gpu';
import { freshSeed, poisoned, randn, rng, testGpu } from '@pretext/gpu/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { clip, infonce, infonceTuning, infonceWorkspaceBytes, moco, ntXent } from './infonce.js';
import { clipRef, infonceRef, ntXentRef } from './infonce.ref.js';

afterAll(destroyGpu);

/** max |got − want| / max(max |want|, floor): relative error. The floor is the size of one
 * softmax term of a gradient, w/τ: it matters only where the exact gradient is 0 by cancellation
 * (2N = 2 and CLIP's N = 1 have one logit per row; normalised rows of d = 1 are ±1). */
function err(got: ArrayLike<number>, want: ArrayLike<number>, floor = 1e-3): number {
  expect(got.length).toBe(want.length);
  let num = 0;
  let den = floor;
  for (let i = 0; i < want.length; i++) {
    const dlt = Math.abs(got[i] - want[i]);
    num = Number.isNaN(dlt) ? Number.POSITIVE_INFINITY : Math.max(num, dlt);
    den = Math.max(den, Math.abs(want[i]));
  }
  return num / den;
}

const TOL = 1e-4;

// d % 4 == 0 with one column buffer takes infonce_sg.wgsl on an adapter with subgroups (lavapipe);
// `portable` reruns such cases with it switched off, so the portable tiles (infonce_fwd/bwd.wgsl) stay tested there too.
async function portable<T>(f: () => Promise<T>): Promise<T> {
  infonceTuning.subgroups = false;
  try { return await f(); } finally { infonceTuning.subgroups = true; }
}
const read = async (gpu: Gpu, a: GpuArray) => gpu.download(a as GpuArray & { dtype: 'f32' });

describe('infonce: NT-Xent (SimCLR)', () => {
  const cases: [number, number, number, boolean, 'mean' | 'sum'][] = [
    [2, 3, 0.1, true, 'mean'],
    [6, 1, 0.5, true, 'mean'],
    [6, 1, 0.5, false, 'sum'],
    [130, 127, 0.1, true, 'mean'],
    [514, 3, 0.2, true, 'sum'],
    [66, 40, 0.07, false, 'mean'],
    [2, 4, 0.1, true, 'sum'],
    [130, 128, 0.1, true, 'mean'],
  ];
  const runs = [...cases.map((c) => [...c, false] as const), ...cases.filter(([, d]) => d % 4 === 0).map((c) => [...c, true] as const)];
  for (const [m, d, tau, normalize, reduction, off] of runs) {
    it(`2N=${m} D=${d} τ=${tau} normalize=${normalize} ${reduction}${off ? ' (portable tiles)' : ''} matches the float64 reference`, () => (off ? portable : (f: () => Promise<void>) => f())(async () => {
      const gpu = await testGpu();
      const seed = freshSeed();
      const z = randn(m * d, seed, normalize ? 1 : 0.3);
      const Z = gpu.upload(z, [m, d]);
      const out = { loss: poisoned(gpu, [1]), accuracy: poisoned(gpu, [1]), dZ: poisoned(gpu, [m, d]) };
      ntXent(gpu, Z, { tau, normalize, reduction, out });
      const ref = ntXentRef(z, m, d, tau, { normalize, reduction });
      const msg = `seed ${seed}`;
      expect(err(await read(gpu, out.loss), [ref.loss]), msg).toBeLessThan(TOL);
      // normalised d = 1 rows are ±1: every logit ties with the max, so a hit is a rounding coin-flip
      if (d > 1 || !normalize) expect((await read(gpu, out.accuracy))[0], msg).toBeCloseTo(ref.accuracy, 6);
      expect(err(await read(gpu, out.dZ), ref.dZ, (reduction === 'sum' ? 1 : 1 / m) / tau), msg).toBeLessThan(TOL);
      for (const a of [Z, out.loss, out.accuracy, out.dZ]) gpu.free(a);
    }));
  }

  // collapse: every logit ties, and a tie is a miss (accuracy 0; with 2N = 2 the positive is the only key)
  for (const off of [false, true]) {
  it(`identical embeddings give exactly ln(2N − 1), accuracy 0, zero gradient${off ? ' (portable tiles)' : ''}`, () => (off ? portable : (f: () => Promise<void>) => f())(async () => {
    const gpu = await testGpu();
    for (const [m, d] of [[2, 5], [6, 3], [130, 127], [130, 128]]) {
      const row = randn(d, freshSeed());
      const z = new Float32Array(m * d).map((_, i) => row[i % d]);
      const Z = gpu.upload(z, [m, d]);
      const r = ntXent(gpu, Z, { tau: 0.1 });
      const loss = (await read(gpu, r.loss))[0];
      expect(Math.abs(loss - Math.log(m - 1)) / Math.max(Math.log(m - 1), 1e-30), `2N=${m}`).toBeLessThan(1e-5);
      if (m === 2) expect(loss).toBe(0);
      expect((await read(gpu, r.accuracy))[0], `2N=${m}`).toBe(m === 2 ? 1 : 0);
      expect(Math.max(...(await read(gpu, r.dZ)).map(Math.abs))).toBeLessThan(1e-4);
      for (const a of [Z, r.loss, r.accuracy, r.dZ]) gpu.free(a);
    }
  }));
  }

  it('τ = 0.05 with unit vectors stays finite and matches', async () => {
    const gpu = await testGpu();
    const seed = freshSeed();
    const [m, d] = [130, 16];
    // near-duplicate pairs push the positive logit to ~1/τ = 20, the rest near 0
    const base = randn((m / 2) * d, seed);
    const z = new Float32Array(m * d).map((_, i) => base[i % ((m / 2) * d)] + 0.01 * Math.sin(i));
    const Z = gpu.upload(z, [m, d]);
    const r = ntXent(gpu, Z, { tau: 0.05 });
    const [loss, dz] = [await read(gpu, r.loss), await read(gpu, r.dZ)];
    expect(Number.isFinite(loss[0]) && dz.every(Number.isFinite), `seed ${seed}`).toBe(true);
    const ref = ntXentRef(z, m, d, 0.05);
    expect(err(loss, [ref.loss], 1e-2), `seed ${seed}`).toBeLessThan(TOL);
    expect(err(dz, ref.dZ), `seed ${seed}`).toBeLessThan(TOL);
    for (const a of [Z, r.loss, r.accuracy, r.dZ]) gpu.free(a);
  });
});

describe('infonce: MoCo', () => {
  for (const [m, d, nq] of [[33, 7, 0], [33, 127, 37], [1, 3, 37], [70, 3, 100], [33, 8, 0], [9, 8, 5]] as const) {
    it(`N=${m} D=${d} queue=${nq}, batch keys as negatives: dq and dk_pos match the reference`, async () => {
      const gpu = await testGpu();
      const seed = freshSeed();
      const [q, k, qu] = [randn(m * d, seed), randn(m * d, seed + 1), randn(nq * d, seed + 2)];
      const [Q, K, U] = [gpu.upload(q, [m, d]), gpu.upload(k, [m, d]), nq ? gpu.upload(qu, [nq, d]) : gpu.empty([0, d])];
      const out = { loss: poisoned(gpu, [1]), dQ: poisoned(gpu, [m, d]), dK: poisoned(gpu, [m, d]) };
      const r = moco(gpu, Q, K, U, { tau: 0.2, gradK: true, batchNegatives: true, out });
      const keys = Float32Array.from([...k, ...qu]);
      const ref = infonceRef({ q, keys, m, n: m + nq, d, pos: Array.from({ length: m }, (_, i) => i), tau: 0.2, weight: 1 / m });
      expect(err(await read(gpu, out.loss), [ref.loss]), `seed ${seed}`).toBeLessThan(TOL);
      expect(err(await read(gpu, out.dQ), ref.dQ), `seed ${seed}`).toBeLessThan(TOL);
      expect(err(await read(gpu, out.dK), ref.dK.subarray(0, m * d)), `seed ${seed}`).toBeLessThan(TOL);
      const noK = moco(gpu, Q, K, undefined, { tau: 0.2, batchNegatives: true });
      expect(noK.dK).toBeUndefined();
      for (const a of [Q, K, U, out.loss, out.dQ, out.dK, r.accuracy, noK.loss, noK.accuracy, noK.dQ!]) gpu.free(a);
    });
  }
  // He et al.'s logits [l_pos | q·queueᵀ]: of the batch's keys only the query's own takes part
  for (const [m, d, nq, off] of [[33, 7, 1, false], [33, 127, 37, false], [1, 3, 37, false], [70, 8, 100, false], [70, 8, 100, true], [9, 12, 5, true]] as const) {
    it(`N=${m} D=${d} queue=${nq}, [l_pos | queue]${off ? ' (portable tiles)' : ''}: loss, accuracy, dq match the reference`, () => (off ? portable : (f: () => Promise<void>) => f())(async () => {
      const gpu = await testGpu();
      const seed = freshSeed();
      const [q, k, qu] = [randn(m * d, seed), randn(m * d, seed + 1), randn(nq * d, seed + 2)];
      const [Q, K, U] = [gpu.upload(q, [m, d]), gpu.upload(k, [m, d]), gpu.upload(qu, [nq, d])];
      const out = { loss: poisoned(gpu, [1]), accuracy: poisoned(gpu, [1]), dQ: poisoned(gpu, [m, d]) };
      moco(gpu, Q, K, U, { tau: 0.2, out });
      const keys = Float32Array.from([...k, ...qu]);
      const ref = infonceRef({ q, keys, m, n: m + nq, d, pos: Array.from({ length: m }, (_, i) => i), tau: 0.2, weight: 1 / m, ownKeyOnly: m });
      const all = infonceRef({ q, keys, m, n: m + nq, d, pos: Array.from({ length: m }, (_, i) => i), tau: 0.2, weight: 1 / m });
      if (m > 1) expect(Math.abs(ref.loss - all.loss), 'the two formulas differ').toBeGreaterThan(1e-3);
      expect(err(await read(gpu, out.loss), [ref.loss]), `seed ${seed}`).toBeLessThan(TOL);
      expect((await read(gpu, out.accuracy))[0], `seed ${seed}`).toBeCloseTo(ref.accuracy, 6);
      expect(err(await read(gpu, out.dQ), ref.dQ), `seed ${seed}`).toBeLessThan(TOL);
      for (const a of [Q, K, U, ...Object.values(out)]) gpu.free(a);
    }));
  }

  it('[l_pos | queue] refuses an empty queue and a key gradient, naming the option', async () => {
    const gpu = await testGpu();
    const [Q, K] = [gpu.upload(randn(6, 1), [2, 3]), gpu.upload(randn(6, 2), [2, 3])];
    expect(() => moco(gpu, Q, K, undefined, { tau: 0.2 })).toThrow(/infonce\.moco: argument 'queue': is empty and batchNegatives is false/);
    expect(() => moco(gpu, Q, K, gpu.upload(randn(6, 3), [2, 3]), { tau: 0.2, gradK: true })).toThrow(/'batchNegatives': false needs gradK: false/);
    gpu.free(Q);
    gpu.free(K);
  });
});

describe('infonce: symmetric CLIP', () => {
  for (const [m, d, reduction] of [[1, 3, 'mean'], [37, 5, 'mean'], [100, 127, 'sum'], [1, 4, 'sum'], [37, 8, 'mean']] as const) {
    it(`N=${m} D=${d} ${reduction}: loss and both gradients match the reference`, async () => {
      const gpu = await testGpu();
      const seed = freshSeed();
      const [a, b] = [randn(m * d, seed), randn(m * d, seed + 1)];
      const [I, T] = [gpu.upload(a, [m, d]), gpu.upload(b, [m, d])];
      const out = { loss: poisoned(gpu, [1]), accuracy: poisoned(gpu, [1]), dImg: poisoned(gpu, [m, d]), dTxt: poisoned(gpu, [m, d]) };
      clip(gpu, I, T, { tau: 0.1, reduction, out });
      const ref = clipRef(a, b, m, d, 0.1, { reduction });
      const floor = (reduction === 'sum' ? 0.5 : 1 / (2 * m)) / 0.1;
      expect(err(await read(gpu, out.loss), [ref.loss]), `seed ${seed}`).toBeLessThan(TOL);
      expect((await read(gpu, out.accuracy))[0]).toBeCloseTo(ref.accuracy, 6);
      expect(err(await read(gpu, out.dImg), ref.dImg, floor), `seed ${seed}`).toBeLessThan(TOL);
      expect(err(await read(gpu, out.dTxt), ref.dTxt, floor), `seed ${seed}`).toBeLessThan(TOL);
      for (const x of [I, T, ...Object.values(out)]) gpu.free(x);
    });
  }
});

describe('infonce: general positives', () => {
  for (const d of [9, 12]) it(`D=${d}: random host positives, q ≠ k, masked diagonal: loss, accuracy, dQ, dK`, async () => {
    const gpu = await testGpu();
    const seed = freshSeed();
    const [m, n] = [45, 71];
    const r = rng(seed);
    const pos = Int32Array.from({ length: m }, (_, i) => { let j = i; while (j === i) j = Math.floor(r() * n); return j; });
    const [q, k] = [randn(m * d, seed), randn(n * d, seed + 1)];
    const [Q, K] = [gpu.upload(q, [m, d]), gpu.upload(k, [n, d])];
    const out = { dQ: poisoned(gpu, [m, d]), dK: poisoned(gpu, [n, d]) };
    const res = infonce(gpu, Q, K, pos, { tau: 0.3, maskSelf: true, reduction: 'sum', out });
    const ref = infonceRef({ q, keys: k, m, n, d, pos, tau: 0.3, maskSelf: true, weight: 1 });
    expect(err(await read(gpu, res.loss), [ref.loss]), `seed ${seed}`).toBeLessThan(TOL);
    expect((await read(gpu, res.accuracy))[0]).toBeCloseTo(ref.accuracy, 6);
    expect(err(await read(gpu, out.dQ), ref.dQ), `seed ${seed}`).toBeLessThan(TOL);
    expect(err(await read(gpu, out.dK), ref.dK), `seed ${seed}`).toBeLessThan(TOL);
    for (const a of [Q, K, res.loss, res.accuracy, out.dQ, out.dK]) gpu.free(a);
  });
});

describe('infonce: bad input and memory', () => {
  it('throws clear errors naming the kernel and the argument', async () => {
    const gpu = await testGpu();
    const q = gpu.upload(new Float32Array(12).fill(1), [4, 3]);
    const k4 = gpu.upload(new Float32Array(16).fill(1), [4, 4]);
    const pos = Int32Array.from([1, 2, 3, 0]);
    expect(() => infonce(gpu, q, k4, pos, { tau: 0.1 })).toThrow(KernelInputError);
    expect(() => infonce(gpu, q, k4, pos, { tau: 0.1 })).toThrow(/infonce: argument 'k': has d = 4, but the queries have d = 3/);
    expect(() => clip(gpu, q, k4, { tau: 0.1 })).toThrow(/infonce\.clip: argument 'txt': has d = 4/);
    expect(() => moco(gpu, q, q, k4, { tau: 0.1 })).toThrow(/infonce\.moco: argument 'queue': has d = 4/);
    expect(() => infonce(gpu, q, q, Int32Array.from([1, 2, 4, 0]), { tau: 0.1 })).toThrow(/argument 'pos': pos\[2\] = 4 is out of range \[0, 4\)/);
    expect(() => infonce(gpu, q, q, Int32Array.from([1, -1, 3, 0]), { tau: 0.1 })).toThrow(/pos\[1\] = -1 is out of range/);
    expect(() => infonce(gpu, q, q, Int32Array.from([0, 2, 3, 1]), { tau: 0.1, maskSelf: true })).toThrow(/pos\[0\] = 0 points at the query itself/);
    expect(() => infonce(gpu, q, q, Int32Array.from([1, 2]), { tau: 0.1 })).toThrow(/one positive index per query \(4\), got 2/);
    expect(() => infonce(gpu, q, q, gpu.upload(new Float32Array(4)), { tau: 0.1 })).toThrow(/'pos': dtype must be i32/);
    for (const tau of [0, -0.5, Number.NaN]) {
      expect(() => ntXent(gpu, q, { tau })).toThrow(new RegExp(`infonce\\.ntxent: argument 'tau': temperature must be a finite number > 0, got ${tau}`));
    }
    expect(() => ntXent(gpu, gpu.upload(new Float32Array(9), [3, 3]), { tau: 0.1 })).toThrow(/'z': needs 2N rows/);
    expect(() => ntXent(gpu, gpu.upload(new Int32Array(4), [2, 2]), { tau: 0.1 })).toThrow(/'z': dtype must be f32/);
    expect(() => ntXent(gpu, gpu.upload(new Float32Array(4)), { tau: 0.1 })).toThrow(/must be a matrix/);
    expect(() => ntXent(gpu, q, { tau: 0.1, reduction: 'max' as 'sum' })).toThrow(/'reduction': must be 'mean' or 'sum'/);
    expect(() => ntXent(gpu, q, { tau: 0.1, out: { dZ: gpu.empty([4, 4]) } })).toThrow(/'out\.dZ': must be f32 \[4, 3\]/);
  });

  it('workspace for 2N = 16384, D = 128 stays far below the inputs (no logit matrix)', () => {
    const [m, d] = [16384, 128];
    const inputs = m * d * 4; // 8 MiB
    const naiveLogits = m * m * 4; // 1 GiB
    const ws = infonceWorkspaceBytes('ntxent', m, m);
    expect(ws).toBeLessThanOrEqual(inputs / 8);
    expect(ws).toBeLessThan(naiveLogits / 1000);
    expect(infonceWorkspaceBytes('moco', 256, 256, 65536)).toBeLessThanOrEqual(65536 * 128 * 4 / 8);
    expect(infonceWorkspaceBytes('clip', m, m)).toBeLessThanOrEqual(inputs / 4);
  });
});
