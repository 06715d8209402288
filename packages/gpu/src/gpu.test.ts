import { afterAll, describe, expect, it } from 'vitest';
import { destroyGpu, GpuError, grid1d, MAX_UNWAITED_SUBMITS, params, sizeClass } from './index.js';
import { testGpu } from './testing.js';

const addOne = /* wgsl */ `
struct Params { n: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> x: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) g: vec3u) { if (g.x < p.n) { x[g.x] = x[g.x] + 1.0; } }`;

afterAll(destroyGpu);

describe('Gpu', () => {
  it('finds an adapter and reports its real limits and features', async () => {
    const gpu = await testGpu();
    expect(gpu.info.description.length + gpu.info.device.length).toBeGreaterThan(0);
    expect(gpu.limits.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(128 * 2 ** 20);
    expect(gpu.info.features).toEqual([...gpu.features].sort());
  });

  it('batches dispatches, passes params through the arena, reads back', async () => {
    const gpu = await testGpu();
    const x = gpu.upload(new Float32Array(100).fill(1));
    const pipe = gpu.pipeline('add_one', addOne);
    const before = gpu.stats().submits;
    for (let i = 0; i < 5; i++) gpu.dispatch({ kernel: 'add_one', pipeline: pipe, buffers: [x], params: params().u32(i === 4 ? 50 : 100).bytes, workgroups: [2] });
    const out = await gpu.download(x);
    expect(gpu.stats().submits - before).toBe(1);
    expect(out[0]).toBe(6);
    expect(out[49]).toBe(6);
    expect(out[50]).toBe(5);
    expect(out[99]).toBe(5);
    gpu.free(x);
  });

  it('refuses to queue unbounded work: submits with no sync or readback between them throw past the limit', async () => {
    const gpu = await testGpu();
    const x = gpu.upload(new Float32Array(64));
    const pipe = gpu.pipeline('add_one', addOne);
    const once = () => {
      gpu.dispatch({ kernel: 'add_one', pipeline: pipe, buffers: [x], params: params().u32(64).bytes, workgroups: [1] });
      gpu.submit();
    };
    await gpu.sync();
    // waiting every so often (a read, a sync) keeps a long loop going
    for (let i = 0; i < MAX_UNWAITED_SUBMITS + 10; i++) {
      once();
      if (i % 1000 === 999) await gpu.download(x);
    }
    await gpu.sync();
    for (let i = 0; i < MAX_UNWAITED_SUBMITS; i++) once();
    expect(once).toThrow(GpuError);
    expect(once).toThrow(/\[submit\] 4096 submits in a row with no readback or sync\(\)/);
    await gpu.sync(); // submits what was recorded, waits, and the count starts again
    once();
    expect((await gpu.download(x))[0]).toBe(2 * MAX_UNWAITED_SUBMITS + 10 + 3);
    gpu.free(x);
  });

  it('reuses buffers and pipelines in steady state', async () => {
    const gpu = await testGpu();
    const pipe = gpu.pipeline('add_one', addOne);
    const step = async () => {
      const x = gpu.upload(new Float32Array(1000).fill(0));
      gpu.dispatch({ kernel: 'add_one', pipeline: gpu.pipeline('add_one', addOne), buffers: [x], params: params().u32(1000).bytes, workgroups: [16] });
      const v = await gpu.download(x);
      gpu.free(x);
      return v[999];
    };
    await step();
    const s0 = gpu.stats();
    for (let i = 0; i < 5; i++) expect(await step()).toBe(1);
    const s1 = gpu.stats();
    expect(s1.buffersCreated).toBe(s0.buffersCreated);
    expect(s1.pipelinesCreated).toBe(s0.pipelinesCreated);
    expect(pipe).toBe(gpu.pipeline('add_one', addOne));
  });

  it('counts the FLOPs and bytes dispatches declare and the bytes the pool creates', async () => {
    const gpu = await testGpu();
    const s0 = gpu.stats();
    const x = gpu.upload(new Float32Array(24001)); // 96 004 bytes: the 1.5·2^16 = 98 304-byte class, new here
    const d = { kernel: 'add_one', pipeline: gpu.pipeline('add_one', addOne), buffers: [x], params: params().u32(1000).bytes, workgroups: [16] as const };
    gpu.dispatch({ ...d, flops: 1000, bytes: 8000 });
    gpu.dispatch(d); // declares nothing: counts as 0
    await gpu.sync();
    const s1 = gpu.stats();
    expect(s1.declaredFlops - s0.declaredFlops).toBe(1000);
    expect(s1.declaredBytes - s0.declaredBytes).toBe(8000);
    expect(s1.dispatches - s0.dispatches).toBe(2);
    expect(s1.buffersCreated - s0.buffersCreated).toBe(1);
    expect(s1.bytesCreated - s0.bytesCreated).toBe(98304);
    gpu.free(x);
  });

  it('turns an invalid shader into a thrown error naming the kernel', async () => {
    const gpu = await testGpu();
    await expect(gpu.pipelines.compile('broken_kernel', 'fn main( {')).rejects.toThrow(/broken_kernel/);
    gpu.pipeline('broken_kernel2', '@compute @workgroup_size(1) fn main() { let x: f32 = 1u; }');
    await expect(gpu.sync()).rejects.toThrow(GpuError);
    await gpu.sync(); // errors are reported once
  });

  it('rejects grids over the dispatch limit with the kernel name', async () => {
    const gpu = await testGpu();
    const x = gpu.upload(new Float32Array(4));
    expect(() =>
      gpu.dispatch({ kernel: 'too_big', pipeline: gpu.pipeline('add_one', addOne), buffers: [x], params: params().u32(4).bytes, workgroups: [70000] }),
    ).toThrow(/too_big.*maxComputeWorkgroupsPerDimension/);
    gpu.free(x);
  });

  it('splits large 1-D grids and sizes pool classes', () => {
    expect(grid1d(10)).toEqual([10, 1, 1]);
    const [x, y] = grid1d(200_000);
    expect(x * y).toBeGreaterThanOrEqual(200_000);
    expect(x).toBeLessThanOrEqual(65535);
    expect(sizeClass(1000)).toBe(1024);
    expect(sizeClass(1500)).toBe(1536);
    expect(sizeClass(1)).toBe(256);
  });
});

describe('profiler', () => {
  it('times labelled passes and writes a Chrome trace', async () => {
    const { Gpu } = await import('./gpu.js');
    const gpu = await Gpu.create({ profile: true });
    try {
      const x = gpu.upload(new Float32Array(4096));
      const pipe = gpu.pipeline('add_one', addOne);
      for (let i = 0; i < 3; i++) gpu.dispatch({ kernel: 'add_one', pipeline: pipe, buffers: [x], params: params().u32(4096).bytes, workgroups: [64], flops: 4096, bytes: 8 * 4096 });
      await gpu.sync();
      const [row] = gpu.profiler.summary();
      expect(row.kernel).toBe('add_one');
      expect(row.calls).toBe(3);
      expect(row.totalMs).toBeGreaterThan(0);
      await gpu.profiler.span('a host step', () => new Promise((r) => setTimeout(r, 5)));
      type Ev = { name: string; ph: string; tid: number; ts: number; dur: number; args?: Record<string, unknown> };
      const events = JSON.parse(JSON.stringify(gpu.profiler.trace('GPU: test'))).traceEvents as Ev[];
      const slices = (tid: number) => events.filter((e) => e.ph === 'X' && e.tid === tid);
      expect(events.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => [e.tid, e.args?.name])).toEqual([[1, 'GPU: test'], [2, 'host (CPU)']]);
      const gpuTrack = slices(1);
      expect(gpuTrack.map((e) => e.name)).toEqual(['add_one', 'add_one', 'add_one']);
      expect(gpuTrack[0].args).toMatchObject({ flops: 4096, bytes: 8 * 4096 });
      const host = slices(2);
      expect(host.map((e) => e.name)).toEqual(['record+submit 3 passes', 'wait: sync', 'a host step']);
      for (const e of [...gpuTrack, ...host]) expect(e.ts >= 0 && e.dur >= 0, e.name).toBe(true);
      // one clock: the passes run after they were submitted and before the step that followed the sync
      // (to within 1 ms: on a loaded machine the adapter's timestamps and the host clock differed by 0.1 ms)
      const skew = 1000;
      expect(gpuTrack[0].ts).toBeGreaterThanOrEqual(host[0].ts - skew);
      expect(gpuTrack[2].ts).toBeLessThanOrEqual(host[2].ts + skew);
      expect(host[2].dur).toBeGreaterThanOrEqual(4000);
      const table = gpu.profiler.table({ fmaGflops: 10, copyGbps: 2 }).split('\n');
      expect(table[0]).toMatch(/kernel +calls +total ms +mean ms +share +GFLOP\/s +GB\/s +%FMA +%copy/);
      expect(table[1]).toMatch(/^add_one +3 .* 100\.0% .*%$/);
      expect(table.at(-1)).toBe('ceilings measured in this run: FMA 10.00 GFLOP/s, copy 2.00 GB/s');
    } finally {
      gpu.profiler.clear();
      await gpu.device.queue.onSubmittedWorkDone();
      gpu.device.destroy();
    }
  });
});

describe('subgroups switch', () => {
  it('{ subgroups: false } and PRETEXT_SUBGROUPS=0 hide the subgroup sizes from every launcher; the tuner is off unless asked', async () => {
    const { Gpu } = await import('./gpu.js');
    const saved = process.env.PRETEXT_SUBGROUPS;
    for (const make of [() => Gpu.create({ subgroups: false }), () => { process.env.PRETEXT_SUBGROUPS = '0'; return Gpu.create(); }]) {
      const gpu = await make();
      try {
        expect(gpu.subgroups).toBe(false);
        expect(gpu.subgroupSizes).toBeNull();
        expect(gpu.subgroupWidth()).toBe(0);
        expect(gpu.tuner.enabled).toBe(process.env.PRETEXT_AUTOTUNE === '1');
      } finally {
        if (saved === undefined) delete process.env.PRETEXT_SUBGROUPS;
        else process.env.PRETEXT_SUBGROUPS = saved;
        await gpu.destroy();
      }
    }
  });
});
