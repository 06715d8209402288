import { readFileSync, writeFileSync } from 'node:fs';
import { type Gpu, type GpuArray, KernelInputError, numel } from '@pretext/gpu';
import { freshSeed, poisoned, randn, relErr, testGpu, withTestTuner } from '@pretext/gpu/testing';
import { describe, expect, it } from 'vitest';
import { matmul, type MatmulOptions, matmulShape, matmulTuning, matmulVariant } from './matmul.js';
import { matmulRef } from './matmul.ref.js';

interface Case {
  a: number[];
  b: number[];
  opts?: Omit<MatmulOptions, 'bias' | 'out'> & { bias?: boolean };
}

/** Runs one case on fresh random inputs against the float64 reference; returns the rel. error. */
async function run(gpu: Gpu, c: Case): Promise<{ err: number; seed: number }> {
  const seed = freshSeed();
  const { transA, transB, alpha, accumulate } = c.opts ?? {};
  const s = matmulShape(c.a, c.b, transA, transB);
  const ah = randn(numel(c.a), seed);
  const bh = randn(numel(c.b), seed + 1);
  const biasH = c.opts?.bias ? randn(s.N, seed + 2) : undefined;
  const outShape = [...s.batchShape, s.M, s.N];
  const c0 = accumulate ? randn(numel(outShape), seed + 3) : undefined;
  const a = gpu.upload(ah, c.a);
  const b = gpu.upload(bh, c.b);
  const bias = biasH && gpu.upload(biasH);
  const out = c0 ? gpu.upload(c0, outShape) : poisoned(gpu, outShape);
  const got = matmul(gpu, a, b, { transA, transB, alpha, accumulate, bias, out });
  expect(got).toBe(out);
  const want = matmulRef(ah, c.a, bh, c.b, { transA, transB, alpha, bias: biasH, c0 });
  const err = relErr(await gpu.download(out), want);
  for (const x of [a, b, out, bias]) if (x) gpu.free(x);
  return { err, seed };
}

const label = (c: Case) => `a ${JSON.stringify(c.a)} b ${JSON.stringify(c.b)} ${JSON.stringify(c.opts ?? {})}`;
/** (M, K) or, transposed, (K, M): the stored shape of an operand. */
const st = (rows: number, cols: number, t = false) => (t ? [cols, rows] : [rows, cols]);

describe('matmul', () => {
  // sizes as M×N×K; not multiples of the tile, including 1
  const sizes: [number, number, number][] = [[1, 1, 1], [7, 13, 5], [127, 257, 65], [1000, 3, 1000], [1000, 1000, 3], [3, 1000, 129]];
  for (const [M, N, K] of sizes) {
    for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]]) {
      const c: Case = { a: st(M, K, tA), b: st(K, N, tB), opts: { transA: tA, transB: tB } };
      it(`${M}x${N}x${K}${tA ? ' transA' : ''}${tB ? ' transB' : ''} matches the reference`, async () => {
        const { err, seed } = await run(await testGpu(), c);
        expect(err, `seed ${seed} ${label(c)}`).toBeLessThan(1e-5);
      });
    }
  }

  const epilogues: Case[] = [
    { a: [127, 65], b: [65, 257], opts: { bias: true } },
    { a: [7, 5], b: [13, 5], opts: { transB: true, bias: true, alpha: -0.37 } },
    { a: [33, 129], b: [33, 97], opts: { transA: true, alpha: 2.5, accumulate: true } },
    { a: [1, 1], b: [1, 1], opts: { bias: true, accumulate: true } },
  ];
  const batched: Case[] = [
    { a: [3, 129, 33], b: [3, 33, 97] },
    { a: [3, 33, 129], b: [3, 97, 33], opts: { transA: true, transB: true, bias: true } },
    { a: [3, 129, 33], b: [33, 97] }, // 2-D B broadcast over the batch
    { a: [129, 33], b: [2, 3, 33, 97] }, // 2-D A broadcast over (2, 3)
    { a: [1, 129, 33], b: [3, 97, 33], opts: { transB: true } },
    { a: [2, 3, 17, 9], b: [2, 3, 9, 11], opts: { accumulate: true } },
  ];
  for (const c of [...epilogues, ...batched]) {
    it(`${label(c)} matches the reference`, async () => {
      const { err, seed } = await run(await testGpu(), c);
      expect(err, `seed ${seed} ${label(c)}`).toBeLessThan(1e-5);
    });
  }

  // matmul_sg.wgsl (the default for big products on adapters with subgroups), reached with
  // small shapes by lowering the size threshold. One test per transpose form (one JIT each).
  // Sizes are 4-aligned where the form needs it (see matmul_sg.wgsl) and awkward elsewhere:
  // tails inside a 4·SG-k chunk or an SG-k chunk, tails inside 24-row and 4·SG-column tiles (SG = 4, 8).
  const sgForms: [string, boolean, boolean, Case[]][] = [
    ['plain', false, false, [
      { a: [9, 4], b: [4, 4] },
      { a: [17, 36], b: [36, 44] }, // K tail inside a 32-k chunk, N tail inside a 32-column tile
      { a: [50, 100], b: [100, 68], opts: { bias: true, alpha: -0.37 } },
      { a: [48, 64], b: [64, 32] }, // exact tiles (2 × 24 rows)
      { a: [3, 33, 68], b: [3, 68, 36], opts: { accumulate: true, alpha: 2.5 } },
      { a: [33, 68], b: [2, 68, 36], opts: { bias: true } }, // A broadcast over the batch
    ]],
    ['transB', false, true, [
      { a: [9, 4], b: [1, 4] }, // N = 1
      { a: [17, 36], b: [43, 36] }, // N not a multiple of 4 (only K must be)
      { a: [53, 100], b: [67, 100], opts: { bias: true, alpha: -0.37 } },
      { a: [3, 33, 68], b: [3, 37, 68], opts: { accumulate: true, alpha: 2.5 } },
      { a: [2, 33, 68], b: [37, 68] }, // B broadcast over the batch
    ]],
    ['transA', true, false, [
      { a: [1, 12], b: [1, 4] }, // K = 1
      { a: [37, 20], b: [37, 44] }, // K tail inside an 8-k chunk (K = 37 need not be aligned)
      { a: [101, 52], b: [101, 68], opts: { bias: true, alpha: -0.37 } },
      { a: [3, 61, 28], b: [3, 61, 36], opts: { accumulate: true, alpha: 2.5 } },
      { a: [61, 28], b: [2, 61, 36], opts: { bias: true } }, // A broadcast over the batch
    ]],
  ];
  for (const [form, transA, transB, sgCases] of sgForms) {
    it(`subgroup variant (${form}) matches the reference (tails of every tile, epilogues, batches)`, async () => {
      const gpu = await testGpu();
      const saved = matmulTuning.sgMinMacs;
      matmulTuning.sgMinMacs = 0;
      try {
        for (const c0 of sgCases) {
          const c: Case = { ...c0, opts: { ...c0.opts, transA, transB } };
          const s = matmulShape(c.a, c.b, transA, transB);
          // without subgroups, the portable shader: its narrow form up to 16 columns
          const expected = gpu.subgroupWidth() ? 'sg' : s.N <= 16 ? 'narrow' : 'tiled';
          expect(matmulVariant(gpu, s, transA, transB), label(c)).toBe(expected);
          const { err, seed } = await run(gpu, c);
          expect(err, `seed ${seed} ${label(c)}`).toBeLessThan(1e-5);
        }
      } finally {
        matmulTuning.sgMinMacs = saved;
      }
    });
  }

  // the narrow form of matmul.wgsl (N ≤ 16, lanes along M: heads, probes), on every transpose form, the epilogues and batches;
  // M off its 64-row tile, N from 1 to its 16-column limit, K long (a probe's 784 pixels).
  const narrow: Case[] = [
    { a: [17, 33], b: [33, 16] },
    { a: [33, 17], b: [33, 1], opts: { transA: true } },
    { a: [37, 784], b: [10, 784], opts: { transB: true, bias: true, alpha: -0.37 } },
    { a: [9, 21], b: [7, 9], opts: { transA: true, transB: true, accumulate: true, alpha: 2.5 } },
    { a: [3, 21, 9], b: [9, 5], opts: { bias: true } }, // 2-D B broadcast over the batch
    { a: [21, 9], b: [2, 3, 9, 13], opts: { accumulate: true } }, // 2-D A broadcast over (2, 3)
  ];
  it('narrow variant (N ≤ 16) matches the reference: every transpose form, epilogues, batches, tails', async () => {
    const gpu = await testGpu();
    for (const c of narrow) {
      const { transA, transB } = c.opts ?? {};
      expect(matmulVariant(gpu, matmulShape(c.a, c.b, transA, transB), transA, transB), label(c)).toBe('narrow');
      const { err, seed } = await run(gpu, c);
      expect(err, `seed ${seed} ${label(c)}`).toBeLessThan(1e-5);
    }
    // one column past its limit takes the tiled shader; forcing 'narrow' there is an error naming N
    expect(matmulVariant(gpu, matmulShape([37, 20], [17, 20], false, true), false, true)).toBe('tiled');
    const a = gpu.upload(randn(37 * 20, freshSeed()), [37, 20]);
    const b = gpu.upload(randn(17 * 20, freshSeed()), [17, 20]);
    expect(() => matmul(gpu, a, b, { transB: true, variant: 'narrow' })).toThrow(/at most 16 columns.*N = 17/);
    for (const x of [a, b]) gpu.free(x);
  });

  it('autotune: times sg and tiled once per shape class, caches the choice, and either matches the reference', async () => {
    const gpu = await testGpu();
    await withTestTuner(gpu, async ({ path, warnings, reopen }) => {
      const c: Case = { a: [2, 37, 20], b: [2, 20, 44], opts: { bias: true } }; // aligned for 'sg', below sgMinMacs
      const s = matmulShape(c.a, c.b);
      expect(matmulVariant(gpu, s)).toBe('tiled'); // first call: the threshold's choice; timing starts
      expect((await run(gpu, c)).err).toBeLessThan(1e-5);
      await gpu.tuner.idle();
      expect(warnings).toEqual([]);
      if (!gpu.subgroupWidth()) return; // one candidate only: nothing to time
      const entries = JSON.parse(readFileSync(path, 'utf8')).entries as Record<string, { choice: string; ms: Record<string, number> }>;
      const [key, entry] = Object.entries(entries)[0];
      expect(key).toMatch(/^matmul\.nn\.sg\d+:b2:M64:N64:K32$/);
      expect(Object.keys(entry.ms).sort()).toEqual(['sg', 'tiled']);
      expect(['sg', 'tiled']).toContain(entry.choice);
      expect(matmulVariant(gpu, s)).toBe(entry.choice);
      expect(matmulVariant(gpu, matmulShape([2, 40, 24], [2, 24, 60]))).toBe(entry.choice); // same shape class
      // whichever candidate a cache names runs, and matches the reference
      for (const choice of ['sg', 'tiled']) {
        writeFileSync(path, JSON.stringify({ schema: 1, adapter: 'x', entries: { [key]: { ...entry, choice } } }));
        reopen();
        expect(matmulVariant(gpu, s)).toBe(choice);
        const { err, seed } = await run(gpu, c);
        expect(err, `seed ${seed} ${choice}`).toBeLessThan(1e-5);
      }
      expect(warnings).toEqual([]);
    });
  });

  it('covers grids over 65535 workgroups (70000 batched 1×1×1 products)', async () => {
    const c: Case = { a: [70000, 1, 2], b: [70000, 2, 1] };
    const { err, seed } = await run(await testGpu(), c);
    expect(err, `seed ${seed}`).toBeLessThan(1e-5);
  });

  it('creates no buffers or pipelines in steady state', async () => {
    const gpu = await testGpu();
    const a = gpu.upload(randn(40 * 30, freshSeed()), [40, 30]);
    const b = gpu.upload(randn(30 * 20, freshSeed()), [30, 20]);
    const bias = gpu.upload(randn(20, freshSeed()));
    const step = async () => {
      const c = matmul(gpu, a, b, { bias }); // C = A·B + bias  (40, 20)
      const dA = matmul(gpu, c, b, { transB: true }); // dA = dC·Bᵀ  (40, 30)
      const dB = matmul(gpu, a, c, { transA: true }); // dB = Aᵀ·dC  (30, 20)
      matmul(gpu, a, c, { transA: true, accumulate: true, out: dB }); // dB += Aᵀ·dC
      await gpu.sync();
      for (const x of [c, dA, dB]) gpu.free(x);
    };
    await step();
    await step();
    const s0 = gpu.stats();
    for (let i = 0; i < 4; i++) await step();
    const s1 = gpu.stats();
    expect(s1.buffersCreated - s0.buffersCreated).toBe(0);
    expect(s1.pipelinesCreated - s0.pipelinesCreated).toBe(0);
    for (const x of [a, b, bias]) gpu.free(x);
  });

  it('rejects bad input with the kernel, argument and shapes named', async () => {
    const gpu = await testGpu();
    const arr = (shape: number[], dtype: 'f32' | 'i32' = 'f32'): GpuArray => gpu.empty(shape, dtype);
    const a = arr([4, 5]);
    const b = arr([6, 7]);
    expect(() => matmul(gpu, a, b)).toThrow(KernelInputError);
    expect(() => matmul(gpu, a, b)).toThrow(/matmul: argument 'b': inner dimensions differ: a \[4, 5\] has K=5, b \[6, 7\] has K=6/);
    expect(() => matmul(gpu, a, arr([4, 7]), { transA: true, transB: true })).toThrow(/a \[4, 5\] \(transposed\) has K=4, b \[4, 7\] \(transposed\) has K=7/);
    expect(() => matmul(gpu, arr([5]), arr([5, 2]))).toThrow(/'a': must have rank ≥ 2, got \[5\]/);
    expect(() => matmul(gpu, arr([2, 4, 5]), arr([3, 5, 2]))).toThrow(/batch dimensions of a \[2, 4, 5\] and b \[3, 5, 2\] do not broadcast/);
    expect(() => matmul(gpu, arr([4, 5], 'i32'), arr([5, 2]))).toThrow(/'a': dtype must be f32, got i32/);
    expect(() => matmul(gpu, arr([0, 5]), arr([5, 2]))).toThrow(/empty product/);
    expect(() => matmul(gpu, a, arr([5, 2]), { bias: arr([3]) })).toThrow(/'bias': must be f32 \[2\], got f32 \[3\]/);
    expect(() => matmul(gpu, a, arr([5, 2]), { out: arr([2, 4]) })).toThrow(/'out': must be f32 \[4, 2\], got f32 \[2, 4\]/);
    expect(() => matmul(gpu, a, arr([5, 2]), { accumulate: true })).toThrow(/'accumulate'.*needs `out`/);
    const sq = arr([5, 5]);
    expect(() => matmul(gpu, sq, sq, { out: sq })).toThrow(/'out': must not share a buffer/);
    const huge = { buffer: a.buffer, dtype: 'f32' as const, shape: [gpu.limits.maxStorageBufferBindingSize / 4 + 1, 1] };
    expect(() => matmul(gpu, huge, arr([1, 1]))).toThrow(/'a': \d+ bytes exceed maxStorageBufferBindingSize/);
  });
});
