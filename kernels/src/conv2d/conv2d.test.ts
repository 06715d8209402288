import { readFileSync, writeFileSync } from 'node:fs';
import { KernelInputError } from '@pretext/gpu';
import { freshSeed, poisoned, randn, relErr, testGpu, withTestTuner } from '@pretext/gpu/testing';
import { describe, expect, it } from 'vitest';
import { matmulTuning } from '../matmul/matmul.js';
import { type Conv2dOptions, conv2d, conv2dBackwardData, conv2dBackwardWeight, conv2dGeometry } from './conv2d.js';
import { conv2dBackwardRef, conv2dRef } from './conv2d.ref.js';
import { conv2dGemmTuning } from './conv2d_gemm.js';
import { conv2dWinogradTuning } from './conv2d_winograd.js';

interface Case { x: [number, number, number, number]; cout: number; k: [number, number]; opts: Conv2dOptions; bias: boolean }
const cases: Case[] = [
  { x: [3, 5, 11, 11], cout: 7, k: [3, 3], opts: { padding: 1 }, bias: true },
  { x: [2, 5, 13, 11], cout: 5, k: [3, 3], opts: { stride: 2, padding: 1, dilation: 2, groups: 5 }, bias: false }, // depthwise
  { x: [1, 3, 13, 13], cout: 20, k: [5, 5], opts: { stride: 2, padding: 2 }, bias: true },
  { x: [3, 6, 7, 9], cout: 4, k: [1, 1], opts: { groups: 2 }, bias: true },
  { x: [1, 1, 1, 1], cout: 1, k: [1, 1], opts: {}, bias: true },
  { x: [2, 4, 28, 27], cout: 33, k: [3, 3], opts: { padding: 1 }, bias: true },
  { x: [2, 10, 12, 10], cout: 15, k: [3, 2], opts: { stride: [1, 2], padding: [0, 1], dilation: [2, 1], groups: 5 }, bias: false },
  // Cout a multiple of 4: the GEMM path runs on matmul_sg (K = 27 and 40 pad to 28 and 40)
  { x: [5, 3, 7, 7], cout: 8, k: [3, 3], opts: { padding: 1 }, bias: true },
  { x: [3, 8, 10, 9], cout: 12, k: [1, 5], opts: { stride: [2, 3], padding: [1, 2], dilation: [1, 2] }, bias: true },
  // stride 1: dx as a transposed conv, here with its padding DH·(KH − 1) − PH negative along h
  { x: [2, 6, 9, 8], cout: 4, k: [1, 3], opts: { padding: [1, 2], dilation: [1, 2] }, bias: false },
  // Wo % 4 == 0: the direct forward in strips of 4 pixels (conv2d_sg4.wgsl), a partial channel tile
  { x: [3, 1, 9, 12], cout: 20, k: [3, 3], opts: { padding: 1 }, bias: true }, // Cin = 1: conv2d_c1.wgsl
  { x: [2, 1, 7, 10], cout: 36, k: [3, 3], opts: { padding: [1, 0] }, bias: true }, // and a partial 32-channel tile
  { x: [2, 4, 6, 9], cout: 36, k: [3, 2], opts: { stride: [1, 3], padding: [1, 2], groups: 2 }, bias: false },
];

type Path = 'direct' | 'portable' | 'gemm' | 'auto';
const pathOpts = (path: Path): Conv2dOptions => (path === 'auto' ? {} : path === 'gemm' ? { algo: 'gemm' } : { algo: 'direct', portable: path === 'portable' });

/** Forward, dx, dw, db of one case on one path vs the float64 reference. */
async function checkCase(c: Case, path: Path) {
  const gpu = await testGpu();
  const seed = freshSeed();
  const groups = c.opts.groups ?? 1;
  const wShape = [c.cout, c.x[1] / groups, ...c.k];
  const g = conv2dGeometry('test', c.x, wShape, c.opts);
  const xs = randn(g.n * g.cin * g.h * g.w, seed);
  const ws = randn(wShape.reduce((a, b) => a * b), seed + 1, 0.3);
  const bs = randn(c.cout, seed + 2);
  const dys = randn(g.n * g.cout * g.ho * g.wo, seed + 3);
  const x = gpu.upload(xs, c.x);
  const w = gpu.upload(ws, wShape);
  const b = gpu.upload(bs, [c.cout]);
  const dy = gpu.upload(dys, [g.n, g.cout, g.ho, g.wo]);
  const y = poisoned(gpu, [g.n, g.cout, g.ho, g.wo]);
  const dx = poisoned(gpu, c.x);
  const dw = poisoned(gpu, wShape);
  const db = poisoned(gpu, [c.cout]);
  const o = { ...c.opts, ...pathOpts(path) };
  conv2d(gpu, x, w, c.bias ? b : null, { ...o, out: y });
  conv2dBackwardData(gpu, dy, w, c.x, { ...o, out: dx });
  conv2dBackwardWeight(gpu, dy, x, wShape, { ...o, bias: true, out: dw, outBias: db });
  const ref = conv2dBackwardRef(g, dys, xs, ws);
  const msg = `seed ${seed} ${path}`;
  expect(relErr(await gpu.download(y), conv2dRef(g, xs, ws, c.bias ? bs : null)), `y ${msg}`).toBeLessThan(2e-5);
  expect(relErr(await gpu.download(dx), ref.dx), `dx ${msg}`).toBeLessThan(2e-5);
  expect(relErr(await gpu.download(dw), ref.dw), `dw ${msg}`).toBeLessThan(2e-5);
  expect(relErr(await gpu.download(db), ref.db), `db ${msg}`).toBeLessThan(2e-5);
  for (const a of [x, w, b, dy, y, dx, dw, db]) gpu.free(a);
}

const label = (c: Case) => `x ${c.x} cout ${c.cout} k ${c.k} ${JSON.stringify(c.opts)}${c.bias ? ' +bias' : ''}`;

/** Runs `f` with matmul_sg reachable at test sizes and the GEMM workspace at `workspaceBytes`. */
async function withTuning(workspaceBytes: number, f: () => Promise<void>) {
  const saved = [matmulTuning.sgMinMacs, conv2dGemmTuning.workspaceBytes] as const;
  matmulTuning.sgMinMacs = 0;
  conv2dGemmTuning.workspaceBytes = workspaceBytes;
  try {
    await f();
  } finally {
    [matmulTuning.sgMinMacs, conv2dGemmTuning.workspaceBytes] = saved;
  }
}

describe('conv2d', () => {
  for (const c of cases) {
    const paths: Path[] = (c.opts.groups ?? 1) === 1 ? ['direct', 'portable', 'gemm'] : ['direct', 'portable'];
    it(`forward and backward match the reference (${paths.join(', ')}): ${label(c)}`, async () => {
      // the GEMM path with the workspace of one image: every image is its own chunk
      await withTuning(1, async () => {
        for (const path of paths) await checkCase(c, path);
      });
    });
  }

  it('GEMM path with several images per chunk and a ragged last chunk matches the reference', async () => {
    // an image's workspace is 7·7 pixels × (Kp + Cout = 40 + 16) floats: 3 images fit, chunks of 3, 3, 1
    const c: Case = { x: [7, 4, 7, 7], cout: 16, k: [3, 3], opts: { padding: 1, stride: 1 }, bias: true };
    await withTuning(3 * 4 * 49 * (40 + 16), () => checkCase(c, 'gemm'));
    await withTuning(2 ** 30, () => checkCase(c, 'gemm')); // one chunk
  });

  it('autotune: times direct, GEMM (and Winograd) per op and shape class, caches the choice; each matches the reference', async () => {
    const gpu = await testGpu();
    const c: Case = { x: [2, 8, 9, 7], cout: 12, k: [3, 3], opts: { padding: 1 }, bias: true };
    const algos = gpu.subgroupWidth() ? ['direct', 'gemm', 'winograd'] : ['direct', 'gemm'];
    await withTestTuner(gpu, async ({ path, warnings, reopen }) => {
      await checkCase(c, 'auto'); // the thresholds' choice; timing starts for forward, dx and dw
      await gpu.tuner.idle();
      expect(warnings).toEqual([]);
      const entries = JSON.parse(readFileSync(path, 'utf8')).entries as Record<string, { choice: string; ms: Record<string, number> }>;
      const convKeys = Object.keys(entries).filter((k) => k.startsWith('conv2d.'));
      expect(convKeys.map((k) => k.split(':')[0]).sort()).toEqual(['conv2d.dw', 'conv2d.dx', 'conv2d.forward'].map((o) => `${o}.sg${gpu.subgroupWidth()}`).sort());
      for (const k of convKeys) {
        expect(Object.keys(entries[k].ms).sort(), k).toEqual([...algos].sort());
        expect(algos, k).toContain(entries[k].choice);
      }
      await checkCase(c, 'auto'); // the measured choices
      // whichever algorithm the cache names runs, and matches the reference
      for (const algo of algos) {
        const forced = Object.fromEntries(convKeys.map((k) => [k, { ...entries[k], choice: algo }]));
        writeFileSync(path, JSON.stringify({ schema: 1, adapter: 'x', entries: forced }));
        reopen();
        await checkCase(c, 'auto');
      }
      expect(warnings).toEqual([]);
    });
  });

  it('gradients agree with central finite differences of the float64 forward', async () => {
    const gpu = await testGpu();
    const seed = freshSeed();
    const xShape = [2, 4, 9, 8];
    const wShape = [6, 2, 3, 3];
    const opts: Conv2dOptions = { stride: 2, padding: 1, groups: 2 };
    const g = conv2dGeometry('test', xShape, wShape, opts);
    const xs = Float64Array.from(randn(2 * 4 * 9 * 8, seed));
    const ws = Float64Array.from(randn(6 * 2 * 9, seed + 1));
    const dys = randn(g.n * g.cout * g.ho * g.wo, seed + 2);
    // L(x, w) = Σ dy · conv2d(x, w)
    const loss = (xv: Float64Array, wv: Float64Array) => conv2dRef(g, xv, wv).reduce((s, v, i) => s + v * dys[i], 0);
    const x = gpu.upload(Float32Array.from(xs), xShape);
    const w = gpu.upload(Float32Array.from(ws), wShape);
    const dy = gpu.upload(dys, [g.n, g.cout, g.ho, g.wo]);
    const dx = await gpu.download(conv2dBackwardData(gpu, dy, w, xShape, opts));
    const { dw } = conv2dBackwardWeight(gpu, dy, x, wShape, opts);
    const dwv = await gpu.download(dw);
    const h = 1e-4;
    const fd = (v: Float64Array, i: number, f: () => number) => {
      const v0 = v[i];
      v[i] = v0 + h;
      const up = f();
      v[i] = v0 - h;
      const down = f();
      v[i] = v0;
      return (up - down) / (2 * h);
    };
    for (const i of [0, 17, 100, 575]) expect(dx[i], `dx[${i}] seed ${seed}`).toBeCloseTo(fd(xs, i, () => loss(xs, ws)), 3);
    for (const i of [0, 13, 50, 107]) expect(dwv[i], `dw[${i}] seed ${seed}`).toBeCloseTo(fd(ws, i, () => loss(xs, ws)), 3);
  });

  it('rejects bad input with the kernel and argument named', async () => {
    const gpu = await testGpu();
    const x = gpu.upload(new Float32Array(2 * 4 * 5 * 5), [2, 4, 5, 5]);
    const w = gpu.upload(new Float32Array(6 * 4 * 9), [6, 4, 3, 3]);
    expect(() => conv2d(gpu, gpu.empty([4, 5, 5]), w)).toThrow(KernelInputError);
    expect(() => conv2d(gpu, gpu.empty([4, 5, 5]), w)).toThrow(/conv2d: argument 'x': must be rank 4/);
    expect(() => conv2d(gpu, x, w, null, { groups: 2 })).toThrow(/'weight': dim 1 must be Cin\/groups = 2/);
    expect(() => conv2d(gpu, x, w, null, { groups: 3 })).toThrow(/'groups': 3 must divide Cin \(4\)/);
    expect(() => conv2d(gpu, x, gpu.empty([6, 4, 7, 7]))).toThrow(/smaller than the dilated kernel 7×7/);
    expect(() => conv2d(gpu, x, w, null, { stride: 0 })).toThrow(/'stride': must be positive/);
    expect(() => conv2d(gpu, x, w, null, { padding: -1 })).toThrow(/'padding'/);
    expect(() => conv2d(gpu, x, w, gpu.empty([5]))).toThrow(/'bias': must be f32 \[6\]/);
    expect(() => conv2d(gpu, gpu.upload(new Int32Array(200), [2, 4, 5, 5]), w)).toThrow(/'x': dtype must be f32/);
    expect(() => conv2d(gpu, x, w, null, { out: gpu.empty([2, 6, 3, 4]) })).toThrow(/'out': must be f32 \[2, 6, 3, 3\]/);
    expect(() => conv2dBackwardData(gpu, gpu.empty([2, 6, 4, 4]), w, x.shape)).toThrow(/conv2d.dx: argument 'dy': must be f32 \[2, 6, 3, 3\]/);
    expect(() => conv2dBackwardWeight(gpu, gpu.empty([2, 6, 3, 3]), gpu.empty([0, 4, 5, 5]), w.shape)).toThrow(/conv2d.dw: argument 'x': empty tensor/);
    expect(() => conv2d(gpu, x, gpu.empty([6, 2, 3, 3]), null, { groups: 2, algo: 'gemm' })).toThrow(/conv2d: argument 'algo': 'gemm' needs groups = 1, got groups = 2/);
    expect(() => conv2d(gpu, x, w, null, { algo: 'fft' as never })).toThrow(/'algo': must be 'auto', 'gemm', 'direct' or 'winograd', got 'fft'/);
  });
});

describe('conv2d winograd', () => {
  // 3×3, stride 1: H, W odd (ragged last tiles), padding 0..2 forward (dx then runs with padding 2..0)
  const wcases: { x: [number, number, number, number]; cout: number; padding: number | [number, number]; bias: boolean }[] = [
    { x: [3, 8, 7, 9], cout: 12, padding: 1, bias: true },
    { x: [3, 12, 5, 5], cout: 20, padding: 1, bias: false },
    { x: [3, 8, 13, 11], cout: 12, padding: 0, bias: true },
    { x: [3, 12, 5, 7], cout: 8, padding: 2, bias: true },
    { x: [2, 4, 6, 9], cout: 4, padding: [2, 0], bias: false },
    // Cin, Cout ≥ 64: the GEMM's 64-column tiles, here with a ragged second one and K % 32 ≠ 0
    { x: [2, 68, 5, 7], cout: 72, padding: 1, bias: true },
  ];

  /** Forward, dx and dw by 'winograd' vs the float64 reference, outputs poisoned first. */
  async function checkWinograd(c: (typeof wcases)[number], portable = false) {
    const gpu = await testGpu();
    const seed = freshSeed();
    const wShape = [c.cout, c.x[1], 3, 3];
    const opts: Conv2dOptions = { padding: c.padding, algo: 'winograd', portable };
    const g = conv2dGeometry('test', c.x, wShape, opts);
    const xs = randn(g.n * g.cin * g.h * g.w, seed);
    const ws = randn(wShape.reduce((a, b) => a * b), seed + 1, 0.3);
    const bs = randn(c.cout, seed + 2);
    const dys = randn(g.n * g.cout * g.ho * g.wo, seed + 3);
    const [x, w, b, dy] = [gpu.upload(xs, c.x), gpu.upload(ws, wShape), gpu.upload(bs, [c.cout]), gpu.upload(dys, [g.n, g.cout, g.ho, g.wo])];
    const y = poisoned(gpu, [g.n, g.cout, g.ho, g.wo]);
    const dx = poisoned(gpu, c.x);
    const dw = poisoned(gpu, wShape);
    conv2d(gpu, x, w, c.bias ? b : null, { ...opts, out: y });
    conv2dBackwardData(gpu, dy, w, c.x, { ...opts, out: dx });
    conv2dBackwardWeight(gpu, dy, x, wShape, { ...opts, out: dw });
    // f32 Winograd: the transforms add up to 16 terms before and after the GEMM (measured ≤ ~5e-7)
    const msg = `seed ${seed}${portable ? ' portable' : ''}`;
    const ref = conv2dBackwardRef(g, dys, xs, ws);
    expect(relErr(await gpu.download(y), conv2dRef(g, xs, ws, c.bias ? bs : null)), `y ${msg}`).toBeLessThan(1e-5);
    expect(relErr(await gpu.download(dx), ref.dx), `dx ${msg}`).toBeLessThan(1e-5);
    expect(relErr(await gpu.download(dw), ref.dw), `dw ${msg}`).toBeLessThan(1e-5);
    for (const a of [x, w, b, dy, y, dx, dw]) gpu.free(a);
  }

  for (const c of wcases) {
    it(`forward, dx and dw match the reference: x ${c.x} cout ${c.cout} padding ${c.padding}${c.bias ? ' +bias' : ''}`, async () => {
      // one image per chunk, on conv2d_winograd_fused.wgsl and conv2d_winograd_dwgemm.wgsl (dw
      // accumulating over chunks); then one chunk, the GEMMs on matmul()
      const saved = conv2dWinogradTuning.workspaceBytes;
      try {
        conv2dWinogradTuning.workspaceBytes = 1;
        await checkWinograd(c);
        conv2dWinogradTuning.workspaceBytes = 2 ** 30;
        await checkWinograd(c, true);
      } finally {
        conv2dWinogradTuning.workspaceBytes = saved;
      }
    });
  }

  it('several images per chunk with a ragged last chunk match the reference', async () => {
    // an image's workspace is 16 · 4·5 tiles × c floats, c = the forward's Cin = 8 (V only), dx's
    // Cin' = 12, dw's Cin + Cout = 20: each budget gives chunks of 2, 1 to one of them
    const saved = conv2dWinogradTuning.workspaceBytes;
    try {
      for (const c of [8, 12, 20]) {
        conv2dWinogradTuning.workspaceBytes = 2 * 4 * 16 * 20 * c;
        await checkWinograd({ x: [3, 8, 7, 9], cout: 12, padding: 1, bias: true });
      }
    } finally {
      conv2dWinogradTuning.workspaceBytes = saved;
    }
  });

  it('rejects geometries it has no form for, naming the problem', async () => {
    const gpu = await testGpu();
    const x = gpu.empty([2, 4, 9, 9]);
    const w = gpu.empty([8, 4, 3, 3]);
    const o: Conv2dOptions = { algo: 'winograd', padding: 1 };
    expect(() => conv2d(gpu, x, w, null, { ...o, stride: 2 })).toThrow(/conv2d: argument 'algo': 'winograd' needs stride 1, got \[2, 2\]/);
    expect(() => conv2d(gpu, x, gpu.empty([8, 4, 5, 5]), null, o)).toThrow(/'winograd' needs a 3×3 kernel, got 5×5/);
    expect(() => conv2d(gpu, x, gpu.empty([8, 2, 3, 3]), null, { ...o, groups: 2 })).toThrow(/'winograd' needs groups = 1, got groups = 2/);
    expect(() => conv2d(gpu, x, w, null, { ...o, dilation: 2 })).toThrow(/'winograd' needs dilation 1, got \[2, 2\]/);
    expect(() => conv2d(gpu, gpu.empty([2, 3, 9, 9]), gpu.empty([8, 3, 3, 3]), null, o)).toThrow(/'winograd' needs Cin and Cout multiples of 4, got Cin = 3, Cout = 8/);
    expect(() => conv2dBackwardData(gpu, gpu.empty([2, 8, 5, 5]), w, x.shape, { ...o, stride: 2 })).toThrow(/conv2d.dx: argument 'algo': 'winograd' needs stride 1/);
    for (const a of [x, w]) gpu.free(a);
  });
});
