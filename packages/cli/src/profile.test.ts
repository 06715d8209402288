// PRETEXT_PROFILE=1 on a real, tiny SimCLR run: the trace in the run directory is valid trace-event
// JSON with one GPU slice per kernel launch (named after the kernels) and the steps on the host
// track, and the printed table rates the kernels against the ceilings measured in the run.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useWebGpu } from '@pretext/core';
import { loadFashionMnist } from '@pretext/data';
import { destroyGpu } from '@pretext/gpu';
import { simclr } from '@pretext/tasks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRACE_FILE } from './profile.js';
import { runInfo } from './summary.js';
import { runTraining } from './train.js';

const profileWas = process.env.PRETEXT_PROFILE;
beforeAll(() => {
  process.env.PRETEXT_PROFILE = '1'; // read when the Gpu is created, and by the trainer
});
afterAll(async () => {
  await destroyGpu();
  if (profileWas === undefined) delete process.env.PRETEXT_PROFILE;
  else process.env.PRETEXT_PROFILE = profileWas;
});

interface TraceEvent {
  name: string;
  ph: string;
  tid: number;
  ts: number;
  dur: number;
  args?: Record<string, unknown>;
}

describe('PRETEXT_PROFILE=1 pretext train', () => {
  it('writes a trace of kernel launches and steps, and prints per-kernel rates against the ceilings', async () => {
    const info = runInfo((await useWebGpu()).gpu.info);
    const dir = join(mkdtempSync(join(tmpdir(), 'pretext-profile-')), 'run');
    const lines: string[] = [];
    const cfg = simclr.config('fashion-mnist', 'quick', { epochs: 1, batchSize: 16, width: 4, projHidden: 8, projDim: 4, trainLimit: 32, probeEpochs: 1, supervisedEpochs: 1 });
    const splits = { train: loadFashionMnist('train', { limit: 32 }), test: loadFashionMnist('test', { limit: 32 }) };
    const r = await runTraining({ task: simclr, cfg, dir, resume: false, info, splits, log: (l) => lines.push(l), mapPoints: 16, eval: { protocols: ['knn'], baselines: [] } });
    expect(r.status).toBe('complete');

    const path = join(dir, TRACE_FILE);
    expect(existsSync(path)).toBe(true);
    const trace = JSON.parse(readFileSync(path, 'utf8')) as { traceEvents: TraceEvent[]; displayTimeUnit: string };
    const threads = Object.fromEntries(trace.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => [e.tid, String(e.args?.name)]));
    expect(threads[1]).toMatch(/^GPU: /);
    expect(threads[2]).toBe('host (CPU)');
    const slices = trace.traceEvents.filter((e) => e.ph === 'X');
    for (const e of slices) expect(Number.isFinite(e.ts) && e.ts >= 0 && e.dur >= 0, `${e.name} ts ${e.ts} dur ${e.dur}`).toBe(true);
    const kernels = new Set(slices.filter((e) => e.tid === 1).map((e) => e.name));
    for (const k of ['infonce.forward', 'infonce.backward', 'optim.adamw', 'augment.']) expect([...kernels].some((n) => n.startsWith(k)), `${k} among ${[...kernels].join(', ')}`).toBe(true);
    expect([...kernels].some((n) => n.startsWith('conv2d'))).toBe(true);
    expect([...kernels].some((n) => n.startsWith('ceiling'))).toBe(false); // the ceilings' own passes are not the run's
    const steps = slices.filter((e) => e.tid === 2 && /^step \d+$/.test(e.name)).map((e) => e.name);
    expect(steps).toEqual(['step 0', 'step 1']);

    const table = lines.join('\n');
    expect(table).toMatch(/kernel +calls +total ms +mean ms +share +GFLOP\/s +GB\/s +%FMA +%copy/);
    expect(table).toMatch(/ceilings measured in this run: FMA \d+\.\d+ GFLOP\/s, copy \d+\.\d+ GB\/s/);
    expect(table).toContain(`trace     ${path}`);
  });
});
