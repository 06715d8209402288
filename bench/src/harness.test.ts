// The harness on the real adapter: check before time, JSON fields, ceilings and fractions.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Gpu } from '@pretext/gpu';
import { randn, relErr } from '@pretext/gpu/testing';
import { unary, unaryRef } from '@pretext/kernels';
import type { BenchCase } from './case.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureCase } from './measure.js';
import { formatMarkdown, formatTable } from './report.js';
import { runBench } from './run.js';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await Gpu.create({ profile: true, tracePath: join(tmpdir(), 'pretext-bench-test-trace.json') });
});
afterAll(async () => {
  await gpu?.destroy();
});

/** relu on n floats; `wrong` makes check() compare against the wrong answer. */
function reluCase(name: string, calls: { run: number; peer: number }, wrong = false): BenchCase {
  return {
    name,
    kernel: 'unary',
    async setup(g) {
      const data = randn(1000, 3);
      const x = g.upload(data);
      const out = g.empty([1000]);
      return {
        run: () => {
          calls.run++;
          unary(g, 'relu', x, { out });
        },
        check: async () => relErr(await g.download(out), wrong ? data : unaryRef('relu', data)),
        tolerance: 1e-6,
        flops: 1000,
        bytes: 8000,
        dispose: () => {
          g.free(x);
          g.free(out);
        },
      };
    },
    peer: {
      name: 'never-loaded',
      async setup() {
        calls.peer++;
        throw new Error('peer must not run in this test');
      },
    },
  };
}

const opts = { reps: 3, warmup: 1, quick: true, tf: null };

describe('measureCase', () => {
  it('times a case only after its check passes: 1 checked run + warm-up + reps', async () => {
    const calls = { run: 0, peer: 0 };
    const r = await measureCase(reluCase('good', calls), gpu, opts);
    expect(r.status, r.message).toBe('ok');
    expect(calls.run).toBe(1 + 1 + 3);
    expect(r.error).toBe(0);
    expect(r.gpuMs).toBeGreaterThan(0);
    expect(r.wallMs).toBeGreaterThan(0);
    const ms = r.gpuMs ?? Number.NaN;
    expect(r.gflops).toBeCloseTo(1000 / (ms * 1e6));
    expect(r.gbps).toBeCloseTo(8000 / (ms * 1e6));
  });

  it('reports a case whose check fails as FAIL and never times it', async () => {
    const calls = { run: 0, peer: 0 };
    const r = await measureCase(reluCase('bad', calls, true), gpu, opts);
    expect(r.status).toBe('fail');
    expect(r.error).toBeGreaterThan(1e-6);
    expect(r.message).toMatch(/check failed: .*not timed/);
    expect(calls.run).toBe(1);
    expect(r.gpuMs).toBeNull();
    expect(r.wallMs).toBeNull();
    expect(r.gflops).toBeNull();
  });

  it('reports a case that throws as ERROR with its message', async () => {
    const r = await measureCase({ name: 'boom', kernel: 'x', setup: async () => Promise.reject(new Error('no such kernel')) }, gpu, opts);
    expect(r.status).toBe('error');
    expect(r.message).toBe('no such kernel');
  });
});

describe('runBench report', () => {
  it('records the machine, the ceilings and fractions, and survives JSON', async () => {
    const calls = { run: 0, peer: 0 };
    const fake = (name: string, kernel: string, flops: number, bytes: number) => {
      // a ceiling stand-in: a relu launch that declares the given flops/bytes
      const c = reluCase(name, calls);
      return { file: 'x', case: { ...c, kernel, peer: undefined, setup: async (g: Gpu) => ({ ...(await c.setup(g)), flops, bytes }) } };
    };
    const cases = [fake('ceiling fma', 'ceiling', 1e6, 4), fake('ceiling copy', 'ceiling', 0, 8000), { file: 'y', case: reluCase('relu', calls) }];
    const report = JSON.parse(JSON.stringify(await runBench(gpu, cases, { reps: 2, warmup: 0, quick: true, tf: null })));
    expect(report.schema).toBe(1);
    expect(report.adapter.device).toBe(gpu.info.device);
    expect(typeof report.adapter.driver).toBe('string');
    expect(report.adapter.features).toContain('timestamp-query');
    expect(report.adapter.limits.maxStorageBufferBindingSize).toBeGreaterThan(0);
    expect(report.commit).toMatch(/^([0-9a-f]{40}(-dirty)?|unknown)$/);
    expect(Number.isNaN(Date.parse(report.date))).toBe(false);
    expect(report.node).toBe(process.version);
    expect(report.clocks).toMatch(/GPU/);
    expect(report.cases.map((c: { name: string }) => c.name)).toEqual(['ceiling fma', 'ceiling copy', 'relu']);
    const [fma, copy, relu] = report.cases;
    expect(report.ceilings).toEqual({ fmaGflops: 1e6 / (fma.gpuMinMs * 1e6), fmaCase: 'ceiling fma', copyGbps: 8000 / (copy.gpuMinMs * 1e6) });
    expect(fma.gpuMinMs).toBeLessThanOrEqual(fma.gpuMs);
    expect(relu.fmaFraction).toBeCloseTo(relu.gflops / report.ceilings.fmaGflops);
    expect(relu.copyFraction).toBeCloseTo(relu.gbps / report.ceilings.copyGbps);
    expect(calls.peer).toBe(0); // tf: null skips peers
    expect(formatTable(report)).toContain(`adapter: ${gpu.info.device}`);
    expect(formatMarkdown(report)).toMatch(/\| relu \| ok \|/);
  });
});
