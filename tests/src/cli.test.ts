// The `pretext` command end to end, as a user runs it: the real entry point (packages/cli/src/
// main.ts under tsx, as `pnpm pretext` runs it) in child processes, each with its own WebGPU
// device. SimCLR trains one epoch on 64 Fashion-MNIST images (2 steps); then `eval` re-runs kNN
// on the saved checkpoint and must agree with the training run's own evaluation, and `report`
// rebuilds the HTML from the files alone.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCheckpoint } from '@pretext/core/checkpoint';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pretext-e2e-'));
const run = join(dir, 'run');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Exit {
  code: number | null;
  out: string;
  err: string;
}

/** `pretext …args` in a child process; resolves with its exit code and output. */
function pretext(...args: string[]): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(ROOT, 'node_modules/.bin/tsx'), ['--conditions=source', join(ROOT, 'packages/cli/src/main.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, XDG_RUNTIME_DIR: dir },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

const json = (file: string) => JSON.parse(readFileSync(file, 'utf8'));
const ok = (r: Exit) => expect(r.code, `exit ${r.code}\n${r.out}\n${r.err}`).toBe(0);

describe('pretext end to end', () => {
  it('train simclr on 64 Fashion-MNIST images: metrics, checkpoint, summary, report', async () => {
    const r = await pretext('train', 'simclr', '--dataset', 'fashion-mnist', '--train-limit', '64', '--epochs', '1', '--batch-size', '32', '--baselines', 'none', '--no-progress', '--out', run);
    ok(r);
    expect(r.out).toContain('pretext train simclr · fashion-mnist');
    expect(r.out).toContain(`report    ${join(run, 'report.html')}`);

    // one JSON line per step (64 images / 32 = 2 steps), finite loss, the lr of the schedule
    const lines = readFileSync(join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.step)).toEqual([1, 2]);
    for (const l of lines) expect(Number.isFinite(l.loss) && l.loss > 0 && l.lr > 0 && l.accuracy >= 0 && l.accuracy <= 1).toBe(true);

    // the checkpoint: encoder, head and optimizer state at step 2, marked complete
    const ckpt = await loadCheckpoint(join(run, 'checkpoints'));
    expect(ckpt.meta).toMatchObject({ step: 2, task: 'simclr', complete: true, optimizerStep: 2 });
    const names = [...ckpt.arrays.keys()];
    expect(names.some((n) => n.startsWith('encoder.'))).toBe(true);
    expect(names.some((n) => n.startsWith('optimizer.state'))).toBe(true);
    for (const [name, a] of ckpt.arrays) expect(Array.from(a.data).every(Number.isFinite), name).toBe(true);

    const summary = json(join(run, 'summary.json'));
    expect(summary).toMatchObject({ task: 'simclr', dataset: 'fashion-mnist', steps: 2 });
    expect(summary.evaluations).toHaveLength(1);
    const [ours] = summary.evaluations[0].reports;
    expect(ours.nTrain).toBe(64);
    for (const top1 of [ours.linear.top1, ours.knn.top1]) expect(top1).toBeGreaterThan(0.1); // above chance (10 classes)

    const html = readFileSync(join(run, 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('simclr');
    for (const f of summary.figures ? Object.values(summary.figures as Record<string, { file: string }>) : []) expect(existsSync(join(run, f.file)), f.file).toBe(true);
  });

  it('eval re-runs a protocol on the saved checkpoint and gets the training run’s number', async () => {
    const r = await pretext('eval', run, '--protocol', 'knn', '--baselines', 'none');
    ok(r);
    const evaluations = json(join(run, 'summary.json')).evaluations;
    expect(evaluations).toHaveLength(2);
    expect(evaluations[1].protocols).toEqual(['knn']);
    // the encoder restored from the checkpoint (weights and BN running stats) gives the same features
    expect(evaluations[1].reports[0].knn.top1).toBe(evaluations[0].reports[0].knn.top1);
  });

  it('report rebuilds report.html from the run directory alone', async () => {
    rmSync(join(run, 'report.html'));
    const r = await pretext('report', run);
    ok(r);
    expect(r.out.trim()).toBe(join(run, 'report.html'));
    expect(readFileSync(join(run, 'report.html'), 'utf8')).toContain('<svg');
  });

  it('bad input: a usage error names the flag (exit 2); a missing run directory is named (exit 2)', async () => {
    const bad = await pretext('train', 'simclr', '--dataset', 'fashion-mnist', '--epochs', '0');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--epochs must be an integer ≥ 1');
    const missing = await pretext('eval', join(dir, 'nope'));
    expect(missing.code).toBe(2);
    expect(missing.err).toContain(`run directory ${join(dir, 'nope')} does not exist`);
  });
});
