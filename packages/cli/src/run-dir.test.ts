// The run directory without a GPU: the lock, --overwrite, restart in place, fresh numbered
// directories, symlinks and temp files — each refusal changes nothing on disk.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from './flags.js';
import { LOCK_FILE, RunLock } from './lock.js';
import { freshDir, takeRunDir } from './run-dir.js';
import { appendNoFollow, readInside, writeFileSafe } from './safe-fs.js';

const root = mkdtempSync(join(tmpdir(), 'pretext-rundir-'));
const fresh = (name: string) => join(root, name);
const quiet = { log: () => {} };

/** A run directory as a killed `pretext train` leaves it: metrics, maybe a checkpoint pointer. */
function leftover(dir: string, opts: { checkpoint?: boolean } = {}) {
  mkdirSync(join(dir, 'checkpoints'), { recursive: true });
  writeFileSync(join(dir, 'metrics.jsonl'), '{"step":1}\n');
  if (opts.checkpoint) writeFileSync(join(dir, 'checkpoints', 'latest.json'), '{"checkpoint":"ckpt-00000001","step":1}');
}

describe('the run lock', () => {
  it('one writer: a live owner is named and refused; the lock goes with release', () => {
    const dir = fresh('lock');
    mkdirSync(dir);
    const a = RunLock.acquire(dir);
    const owner = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'));
    expect(owner).toMatchObject({ pid: process.pid, host: hostname() });
    expect(() => RunLock.acquire(dir)).toThrow(UsageError);
    expect(() => RunLock.acquire(dir)).toThrow(new RegExp(`in use by pid ${process.pid} on ${hostname()}`));
    a.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    RunLock.acquire(dir).release();
  });

  it('a lock whose process is gone is stale: taken over, with a note', async () => {
    const dir = fresh('stale');
    mkdirSync(dir);
    const child = spawn(process.execPath, ['-e', '0']);
    const pid = await new Promise<number>((res) => child.on('exit', () => res(child.pid as number)));
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid, host: hostname(), started: 'then', command: 'train x' }));
    const notes: string[] = [];
    const lock = RunLock.acquire(dir, (l) => notes.push(l));
    expect(notes.join()).toMatch(new RegExp(`left by pid ${pid}, which is gone; taking it over`));
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    lock.release();
    // a live pid whose start time differs from the recorded one was reused by another process: stale too
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: process.pid, host: hostname(), procStart: '1', started: 'then', command: 'x' }));
    if (existsSync('/proc/self/stat')) RunLock.acquire(dir).release();
  });
});

describe('takeRunDir', () => {
  it('--overwrite deletes a previous run (only pretext files); refuses when others are there, changing nothing', async () => {
    const dir = fresh('over');
    leftover(dir, { checkpoint: true });
    await expect(takeRunDir(dir, { resume: false, overwrite: false, ...quiet })).rejects.toThrow(/holds a run with a checkpoint; pass --resume to continue it, --overwrite to start it over, or --out .*over-2/);
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    await expect(takeRunDir(dir, { resume: false, overwrite: true, ...quiet })).rejects.toThrow(/also holds files pretext did not write \(notes\.txt\)/);
    expect(readdirSync(dir).sort()).toEqual(['checkpoints', 'metrics.jsonl', 'notes.txt']);
    await expect(takeRunDir(dir, { resume: true, overwrite: true, ...quiet })).rejects.toThrow(/contradict/);
    readFileSync(join(dir, 'notes.txt'));
    const d2 = fresh('over2');
    leftover(d2, { checkpoint: true });
    const r = await takeRunDir(d2, { resume: false, overwrite: true, ...quiet });
    expect(r.resume).toBe(false);
    expect(readdirSync(d2)).toEqual([LOCK_FILE]);
    r.lock.release();
  });

  it('a run that died before its first checkpoint restarts in place, with or without --resume', async () => {
    for (const resume of [false, true]) {
      const dir = fresh(`died-${resume}`);
      leftover(dir);
      writeFileSync(join(dir, 'metrics.jsonl.tmp-999999999'), 'half');
      const lines: string[] = [];
      const r = await takeRunDir(dir, { resume, overwrite: false, log: (l) => lines.push(l) });
      expect(r.resume).toBe(false);
      expect(lines.join('\n')).toMatch(/has no checkpoint \(its run stopped before the first one\): starting it over in place/);
      expect(lines.join('\n')).toMatch(/removed 1 temp file\(s\) of interrupted writes: metrics\.jsonl\.tmp-999999999/);
      expect(readdirSync(dir)).toEqual([LOCK_FILE]);
      r.lock.release();
    }
  });

  it('--resume of an empty or missing directory is refused; a directory it created is removed again', async () => {
    await expect(takeRunDir(fresh('missing'), { resume: true, overwrite: false, ...quiet })).rejects.toThrow(/does not exist/);
    expect(existsSync(fresh('missing'))).toBe(false);
    const empty = fresh('empty');
    mkdirSync(empty);
    await expect(takeRunDir(empty, { resume: true, overwrite: false, ...quiet })).rejects.toThrow(/no checkpoint in .*empty.*Without --resume a new run starts there/);
    expect(readdirSync(empty)).toEqual([]);
  });

  it('refuses a run file that is a symbolic link (report.html, metrics.jsonl, checkpoints/)', async () => {
    for (const f of ['report.html', 'metrics.jsonl', 'checkpoints']) {
      const dir = fresh(`link-${f}`);
      mkdirSync(dir);
      symlinkSync('/tmp', join(dir, f));
      await expect(takeRunDir(dir, { resume: false, overwrite: true, ...quiet })).rejects.toThrow(new RegExp(`${f} is a symbolic link`));
    }
  });

  it('freshDir: the base when free, else the first free -2, -3, …', () => {
    const base = fresh('runs-x');
    expect(freshDir(base)).toBe(base);
    leftover(base);
    leftover(`${base}-2`);
    mkdirSync(`${base}-3`);
    expect(freshDir(base)).toBe(`${base}-3`);
  });
});

describe('safe writes', () => {
  it('never write through a symbolic link; reads of named files stay inside the directory', () => {
    const dir = fresh('safe');
    const outside = fresh('outside');
    mkdirSync(dir);
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret.png'), 'secret');
    symlinkSync(join(outside, 'victim.html'), join(dir, 'report.html'));
    writeFileSafe(join(dir, 'report.html'), '<p>ok</p>');
    expect(existsSync(join(outside, 'victim.html'))).toBe(false);
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toBe('<p>ok</p>');
    symlinkSync(join(outside, 'victim.jsonl'), join(dir, 'metrics.jsonl'));
    expect(() => appendNoFollow(join(dir, 'metrics.jsonl'), '{}\n')).toThrow(/metrics\.jsonl is a symbolic link; refusing to write through it/);
    expect(existsSync(join(outside, 'victim.jsonl'))).toBe(false);
    symlinkSync(join(outside, 'secret.png'), join(dir, 'grid.png'));
    for (const name of ['grid.png', '../outside/secret.png', join(outside, 'secret.png'), '.lock', 42, 'missing.png']) expect(readInside(dir, name), String(name)).toBeUndefined();
    writeFileSync(join(dir, 'ok.png'), 'png');
    expect(readInside(dir, 'ok.png')?.toString()).toBe('png');
  });
});
