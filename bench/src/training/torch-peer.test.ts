// The PyTorch peer's plumbing without torch: a stand-in "python" (a node script) that answers the
// import probe and speaks bench/torch/serve.py's protocol, and a missing one that must be named.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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

const serving = `
const rl = require('node:readline').createInterface({ input: process.stdin });
console.log(JSON.stringify({ ready: true, torch: '9.9.9+fake', threads: Number(args[args.indexOf('--threads') + 1]), items: 8, unit: 'images', params: 1234 }));
let n = 0;
rl.on('line', (l) => {
  if (l === 'quit') process.exit(0);
  console.log(JSON.stringify(l === 'step' ? { ms: 10 * ++n } : { error: 'unknown command ' + l }));
});`;

describe('PyTorch peer', () => {
  it('names every python it tried when none imports torch', () => {
    const r = findTorch([join(dir, 'missing-python')]);
    expect('reason' in r && r.reason).toMatch(/no python3 with torch \(.*missing-python: not found\); scripts\/setup\.sh --torch/);
  });

  it('finds a python that imports torch, starts its step server and reads one time per step', async () => {
    const python = fakePython('ok', serving);
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
