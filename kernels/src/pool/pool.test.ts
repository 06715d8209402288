import { KernelInputError } from '@pretext/gpu';
import { freshSeed, poisoned, randn, relErr, testGpu } from '@pretext/gpu/testing';
import { describe, expect, it } from 'vitest';
import { avgPool2d, avgPool2dBackward, globalAvgPool, globalAvgPoolBackward, maxPool2d, maxPool2dBackward, type Pool2dOptions, poolGeometry } from './pool.js';
import { avgPool2dBackwardRef, avgPool2dRef, globalAvgPoolBackwardRef, globalAvgPoolRef, maxPool2dBackwardRef, maxPool2dRef } from './pool.ref.js';

const cases: { x: number[]; opts: Pool2dOptions }[] = [
  { x: [3, 5, 11, 11], opts: { kernel: 2 } },
  { x: [3, 5, 13, 11], opts: { kernel: 3, stride: 2, padding: 1 } },
  { x: [2, 3, 13, 13], opts: { kernel: 3, stride: 1, padding: 1, countIncludePad: false } },
  { x: [1, 1, 1, 1], opts: { kernel: 1 } },
  { x: [2, 4, 9, 12], opts: { kernel: [5, 2], stride: [2, 3], padding: [2, 1] } },
  // disjoint windows with gaps and padding (max dx by owned cells)
  { x: [2, 3, 10, 8], opts: { kernel: 2, stride: 3, padding: 1 } },
  // overlapping windows cutting a 7×7 map into a 2×2 grid (the ConvNet's grid pooling: window 4, stride 3)
  { x: [5, 3, 7, 7], opts: { kernel: 4, stride: 3 } },
  { x: [2, 3, 9, 7], opts: { kernel: [4, 3], stride: [2, 1], padding: [1, 1], countIncludePad: false } },
  // one window over the whole plane (the global average pool fast path)
  { x: [3, 5, 7, 6], opts: { kernel: [7, 6] } },
];

describe('pool', () => {
  for (const c of cases) {
    it(`max and avg pool forward and backward match the reference: x ${c.x} ${JSON.stringify(c.opts)}`, async () => {
      const gpu = await testGpu();
      const seed = freshSeed();
      const g = poolGeometry('test', c.x, c.opts);
      const oshape = [g.n, g.c, g.ho, g.wo];
      const n = c.x.reduce((a, b) => a * b);
      const xs = randn(n, seed);
      const dys = randn(oshape.reduce((a, b) => a * b), seed + 1);
      const x = gpu.upload(xs, c.x);
      const dy = gpu.upload(dys, oshape);
      const msg = `seed ${seed}`;
      const indicesOut = gpu.upload(new Int32Array(dys.length).fill(-7), oshape);
      const { y, indices } = maxPool2d(gpu, x, { ...c.opts, out: poisoned(gpu, oshape), outIndices: indicesOut });
      const mref = maxPool2dRef(g, xs);
      expect(relErr(await gpu.download(y), mref.y), `max y ${msg}`).toBeLessThan(1e-7);
      expect([...(await gpu.download(indices))], `argmax ${msg}`).toEqual([...mref.indices]);
      const dx = maxPool2dBackward(gpu, dy, indices, c.x, { ...c.opts, out: poisoned(gpu, c.x) });
      expect(relErr(await gpu.download(dx), maxPool2dBackwardRef(g, dys, mref.indices)), `max dx ${msg}`).toBeLessThan(1e-6);
      const include = c.opts.countIncludePad ?? true;
      const ya = avgPool2d(gpu, x, { ...c.opts, out: poisoned(gpu, oshape) });
      expect(relErr(await gpu.download(ya), avgPool2dRef(g, xs, include)), `avg y ${msg}`).toBeLessThan(1e-6);
      const dxa = avgPool2dBackward(gpu, dy, c.x, { ...c.opts, out: poisoned(gpu, c.x) });
      expect(relErr(await gpu.download(dxa), avgPool2dBackwardRef(g, dys, include)), `avg dx ${msg}`).toBeLessThan(1e-6);
      for (const a of [x, dy, y, indices, dx, ya, dxa]) gpu.free(a);
    });
  }

  for (const shape of [[3, 5, 7, 7], [2, 3, 13, 11], [1, 1, 1, 1]]) {
    it(`global average pool forward and backward match the reference: x ${shape}`, async () => {
      const gpu = await testGpu();
      const seed = freshSeed();
      const [planes, hw] = [shape[0] * shape[1], shape[2] * shape[3]];
      const xs = randn(planes * hw, seed);
      const dys = randn(planes, seed + 1);
      const y = globalAvgPool(gpu, gpu.upload(xs, shape), { out: poisoned(gpu, [shape[0], shape[1]]) });
      expect(relErr(await gpu.download(y), globalAvgPoolRef(xs, planes, hw)), `y seed ${seed}`).toBeLessThan(1e-6);
      const dx = globalAvgPoolBackward(gpu, gpu.upload(dys, [shape[0], shape[1]]), shape, { out: poisoned(gpu, shape) });
      expect(relErr(await gpu.download(dx), globalAvgPoolBackwardRef(dys, planes, hw)), `dx seed ${seed}`).toBeLessThan(1e-6);
    });
  }

  it('avg pool dx agrees with central finite differences of the float64 forward', async () => {
    const gpu = await testGpu();
    const seed = freshSeed();
    const opts: Pool2dOptions = { kernel: 3, stride: 2, padding: 1, countIncludePad: false };
    const g = poolGeometry('test', [1, 2, 5, 6], opts);
    const xs = Float64Array.from(randn(60, seed));
    const dys = randn(g.n * g.c * g.ho * g.wo, seed + 1);
    const loss = () => avgPool2dRef(g, xs, false).reduce((s, v, i) => s + v * dys[i], 0);
    const dx = await gpu.download(avgPool2dBackward(gpu, gpu.upload(dys, [1, 2, g.ho, g.wo]), [1, 2, 5, 6], opts));
    for (const i of [0, 7, 31, 59]) {
      const v = xs[i];
      xs[i] = v + 1e-5;
      const up = loss();
      xs[i] = v - 1e-5;
      const down = loss();
      xs[i] = v;
      expect(dx[i], `dx[${i}] seed ${seed}`).toBeCloseTo((up - down) / 2e-5, 4);
    }
  });

  it('rejects bad input with the kernel and argument named', async () => {
    const gpu = await testGpu();
    const x = gpu.empty([2, 3, 8, 8]);
    expect(() => maxPool2d(gpu, gpu.empty([3, 8, 8]), { kernel: 2 })).toThrow(KernelInputError);
    expect(() => maxPool2d(gpu, gpu.empty([3, 8, 8]), { kernel: 2 })).toThrow(/pool.max: argument 'x': must be rank 4/);
    expect(() => maxPool2d(gpu, x, { kernel: 2, padding: 2 })).toThrow(/'padding': must be integers in \[0, kernel\/2\]/);
    expect(() => avgPool2d(gpu, x, { kernel: 9 })).toThrow(/pool.avg: argument 'x': input 8×8 .* smaller than the kernel 9×9/);
    expect(() => avgPool2d(gpu, x, { kernel: 2, stride: 0 })).toThrow(/'stride'/);
    expect(() => maxPool2d(gpu, x, { kernel: 2, outIndices: gpu.empty([2, 3, 4, 4]) })).toThrow(/'outIndices': must be i32/);
    expect(() => maxPool2dBackward(gpu, gpu.empty([2, 3, 4, 4]), gpu.empty([2, 3, 4, 4]), x.shape, { kernel: 2 })).toThrow(/'indices': dtype must be i32/);
    expect(() => globalAvgPoolBackward(gpu, gpu.empty([2, 4]), x.shape)).toThrow(/pool.global_avg_backward: argument 'dy': must be f32 \[2, 3\]/);
  });
});
