// The PyTorch peer's plumbing without torch: a stand-in "python" (a node script) that answers the
// import probe and speaks bench/torch/serve.py's protocol, and a missing one that must be named.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Gpu } from '@pretext/gpu';
import { unary } from '@pretext/kernels';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainingCase } from './case.js';
import { measureStep } from './measure-step.js';
import { findTorch, startTorch } from './torch-peer.js';

const dir = mkdtempSync(join(tmpdir(), 'pretext-torch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An executable that behaves like `python3 -c 'import torch…'` and like `python3 <script> --serve`. */
function fakePython(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/usr/bin/env node\nconst args = process.argv.slice(2);\nif (args[0] === '-c') { console.log('9.9.9+fake'); process.exit(0); }\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

/** Answers each step with 10·k ms (k-th step) and appends a line per step to `log`, if given. */
const serving = (log = '') => `
const rl = require('node:readline').createInterface({ input: process.stdin });
const threads = args.includes('--threads') ? Number(args[args.indexOf('--threads') + 1]) : 1;
console.log(JSON.stringify({ ready: true, torch: '9.9.9+fake', threads, items: 8, unit: 'images', params: 1234 }));
let n = 0;
rl.on('line', (l) => {
  if (l === 'quit') process.exit(0);
  if (${JSON.stringify(log)} && l === 'step') require('node:fs').appendFileSync(${JSON.stringify(log)}, 'step\\n');
  console.log(JSON.stringify(l === 'step' ? { ms: 10 * ++n } : { error: 'unknown command ' + l }));
});`;

describe('PyTorch peer', () => {
  it('names every python it tried when none imports torch', () => {
    const r = findTorch([join(dir, 'missing-python')]);
    expect('reason' in r && r.reason).toMatch(/no python3 with torch \(.*missing-python: not found\); scripts\/setup\.sh --torch/);
  });

  it("names a python without torch by its import error", () => {
    const path = join(dir, 'python-without-torch');
    writeFileSync(path, "#!/bin/sh\necho \"ModuleNotFoundError: No module named 'torch'\" >&2\nexit 1\n");
    chmodSync(path, 0o755);
    const r = findTorch([path]);
    expect('reason' in r && r.reason).toContain(`${path}: ModuleNotFoundError: No module named 'torch'`);
  });

  it('finds a python that imports torch, starts its step server and reads one time per step', async () => {
    const python = fakePython('ok', serving());
    const found = findTorch([join(dir, 'missing-python'), python]);
    expect(found).toEqual({ python, version: '9.9.9+fake' });
    if ('reason' in found) return;
    const server = await startTorch({ script: 'simclr_step.py', args: ['--batch', '8'] }, found, 3);
    try {
      expect(server.name).toBe('PyTorch 9.9.9+fake CPU (3 threads, bench/torch/simclr_step.py)');
      expect(server.params).toBe(1234);
      expect([await server.step(), await server.step()]).toEqual([10, 20]);
    } finally {
      server.close();
    }
  });

  it('a server that dies before it is ready is an error carrying its stderr', async () => {
    const python = fakePython('dies', "console.error('ModuleNotFoundError: no module named torch.nn'); process.exit(1);");
    await expect(startTorch({ script: 'lm_step.py', args: [] }, { python, version: 'x' })).rejects.toThrow(/lm_step\.py exited before it was ready: ModuleNotFoundError/);
  });

  it('a step that reports no time is an error, not a number', async () => {
    const python = fakePython('zero', `console.log(JSON.stringify({ ready: true, torch: 'x', threads: 1 })); require('node:readline').createInterface({ input: process.stdin }).on('line', () => console.log('{"ms": 0}'));`);
    const server = await startTorch({ script: 'lm_step.py', args: [] }, { python, version: 'x' });
    try {
      await expect(server.step()).rejects.toThrow(/reported 0 ms/);
    } finally {
      server.close();
    }
  });
});

describe('measureStep with the PyTorch peer', () => {
  let gpu: Gpu;
  const was = process.env.PRETEXT_PYTHON;
  beforeAll(async () => {
    gpu = await Gpu.create({ profile: true });
  });
  afterAll(async () => {
    await gpu?.destroy();
    if (was === undefined) delete process.env.PRETEXT_PYTHON;
    else process.env.PRETEXT_PYTHON = was;
  });
  /** A two-dispatch step that notes how many PyTorch steps had run each time it ran. */
  const step = (seen: number[], log: string, params: number): TrainingCase => ({
    name: 'train relu',
    kernel: 'train',
    limits: { reps: 3, warmup: 1 },
    async setup(g) {
      const x = g.upload(new Float32Array(4096).fill(-1));
      const y = g.empty([4096]);
      return {
        items: 16, unit: 'images', batch: '16 images', params,
        torch: { script: 'simclr_step.py', args: [] },
        run: () => {
          seen.push(existsSync(log) ? readFileSync(log, 'utf8').split('\n').length - 1 : 0);
          unary(g, 'relu', x, { out: y });
        },
        check: async () => 0,
        tolerance: 1e-3, flops: 4096, bytes: 0,
        dispose: () => [x, y].forEach((a) => g.free(a)),
      };
    },
  });

  it('runs one PyTorch step after each of our timed steps and reports items/s and ours over theirs', async () => {
    const log = join(dir, 'steps.log');
    process.env.PRETEXT_PYTHON = fakePython('interleaved', serving(log));
    const seen: number[] = [];
    const r = await measureStep(step(seen, log, 1234), gpu, { reps: 3, warmup: 1, quick: true, tf: null });
    expect(r.status, r.message).toBe('ok');
    expect(seen).toEqual([0, 0, 0, 1, 2]); // setup run, warm-up, then ours A B A B A B
    expect(readFileSync(log, 'utf8')).toBe('step\nstep\nstep\n');
    const t = r.training?.torch;
    expect(t?.name).toBe('PyTorch 9.9.9+fake CPU (1 threads, bench/torch/simclr_step.py)');
    expect(t?.message).toBeUndefined();
    expect(t?.itemsPerSec).toBeCloseTo(16 * 1000 / 20, 6); // median of 10, 20, 30 ms
    expect(t?.ratioItems).toBeCloseTo(20 / (r.wallMs as number), 6);
  });

  it('says when PyTorch trains another number of values, and why there is no PyTorch column', async () => {
    process.env.PRETEXT_PYTHON = fakePython('other-model', serving());
    const other = await measureStep(step([], join(dir, 'none.log'), 99), gpu, { reps: 1, warmup: 0, quick: true, tf: null });
    expect(other.training?.torch?.message).toBe("PyTorch's model trains 1234 values, ours 99");
    process.env.PRETEXT_PYTHON = join(dir, 'no-python-here');
    const none = await measureStep(step([], join(dir, 'none.log'), 99), gpu, { reps: 1, warmup: 0, quick: true, tf: null });
    expect(none.status).toBe('ok');
    expect(none.training?.torch).toMatchObject({ itemsPerSec: null, ratioItems: null, message: expect.stringMatching(/^no python3 with torch \(.*no-python-here: not found\)/) });
  });

  it('a peer that dies mid-run ends the peer with its reason, our case is still timed', async () => {
    const once = `console.log(JSON.stringify({ ready: true, torch: 'x', threads: 1, params: 99 }));
let n = 0;
require('node:readline').createInterface({ input: process.stdin }).on('line', () => (n++ ? process.exit(3) : console.log('{"ms": 10}')));`;
    process.env.PRETEXT_PYTHON = fakePython('dies-later', once);
    const r = await measureStep(step([], join(dir, 'none.log'), 99), gpu, { reps: 3, warmup: 0, quick: true, tf: null });
    expect(r.status, r.message).toBe('ok');
    expect(r.training?.torch?.message).toMatch(/^PyTorch peer failed: PyTorch simclr_step\.py exited before a step ended/);
    expect(r.training?.torch?.itemsPerSec).toBeCloseTo(1600, 6); // the one step it ran: 16 images in 10 ms
  });
});
