// The crash harness: `pretext train` killed with SIGKILL at random moments — while starting, while
// training, and the instant a checkpoint's temp file appears (mid-write) — then started again
// with --resume, over and over. After every kill the newest checkpoint must load (checksum,
// finiteness) and never go backwards; every restart must resume from exactly that checkpoint; and
// every run that reaches the end must leave a final checkpoint byte-identical to a run never killed.
// scripts/crash-test.ts runs it ≥ 50 times; crash.test.ts a few times in the suite.
import { existsSync, readdirSync, readFileSync, watch } from 'node:fs';
import { join } from 'node:path';
import { loadCheckpoint } from '@pretext/core/checkpoint';
import { rng } from '@pretext/random';
import { type Exit, startPretext } from './pretext.js';

/** 64 images in batches of 16 for 6 epochs: 24 steps, a checkpoint every 4. */
const ARGS = ['train', 'simclr', '--dataset', 'fashion-mnist', '--train-limit', '64', '--test-limit', '32', '--batch-size', '16', '--epochs', '6', '--baselines', 'none', '--no-progress'];
const TOTAL_STEPS = 24;

export interface CrashReport {
  kills: number;
  /** Kills that left a checkpoint temp file behind (the write was in flight). */
  midCheckpoint: number;
  /** Kills before the run had any checkpoint (it restarts in place). */
  beforeFirstCheckpoint: number;
  /** Restarts that printed where they resumed, all from the newest good checkpoint. */
  resumes: number;
  /** Runs that reached the end, each compared byte for byte with the reference. */
  completedRuns: number;
  seconds: number;
}

const ckptDir = (run: string) => join(run, 'checkpoints');
const latestStep = (run: string): number | undefined => (existsSync(join(ckptDir(run), 'latest.json')) ? JSON.parse(readFileSync(join(ckptDir(run), 'latest.json'), 'utf8')).step : undefined);
const finalTensors = (run: string) => readFileSync(join(ckptDir(run), `ckpt-${String(TOTAL_STEPS).padStart(8, '0')}.safetensors`));
const metricsRows = (run: string) => (existsSync(join(run, 'metrics.jsonl')) ? readFileSync(join(run, 'metrics.jsonl'), 'utf8').split('\n').length - 1 : 0);
const tempFiles = (run: string) => (existsSync(ckptDir(run)) ? readdirSync(ckptDir(run)).filter((f) => f.includes('.tmp-')) : []);

function fail(msg: string, e?: Exit): never {
  throw new Error(`crash test: ${msg}${e ? `\n--- stdout\n${e.out}\n--- stderr\n${e.err}` : ''}`);
}

/** Waits until `cond` holds (polled every 2 ms) or `ms` pass; true if it held. */
async function until(cond: () => boolean, ms: number, stop: () => boolean): Promise<boolean> {
  const end = performance.now() + ms;
  while (performance.now() < end && !stop()) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 2));
  }
  return cond();
}

export async function crashTest(o: { kills: number; seed: number; dir: string; log?: (line: string) => void }): Promise<CrashReport> {
  const log = o.log ?? (() => {});
  const rand = rng(o.seed); // seeded: a failing sequence of kills replays with its seed
  const t0 = performance.now();
  const env = { XDG_RUNTIME_DIR: o.dir };

  // the reference: one run never killed; its training time sizes the kill windows
  const refDir = join(o.dir, 'reference');
  const reference = startPretext([...ARGS, '--out', refDir], env);
  let exitedRef = false;
  reference.done.then(() => (exitedRef = true));
  await until(() => /^data {6}/m.test(reference.stdout()), 600_000, () => exitedRef);
  const trainStart = performance.now();
  await until(() => /^trained {3}/m.test(reference.stdout()), 600_000, () => exitedRef);
  const window = Math.max(500, performance.now() - trainStart); // the training phase: where kills land
  const ref = await reference.done;
  if (ref.code !== 0) fail('the reference run failed', ref);
  const expected = finalTensors(refDir);
  log(`reference: ${TOTAL_STEPS} steps trained in ${(window / 1000).toFixed(1)} s`);

  const r: CrashReport = { kills: 0, midCheckpoint: 0, beforeFirstCheckpoint: 0, resumes: 0, completedRuns: 0, seconds: 0 };
  let runNo = 0;
  let run = join(o.dir, `run-${runNo}`);
  let good: number | undefined; // newest checkpoint step seen after a kill
  while (true) {
    const finishing = r.kills >= o.kills;
    const from = good; // where this start must resume
    const { child, done, stdout } = startPretext([...ARGS, '--out', run, ...(existsSync(run) ? ['--resume'] : [])], env);
    let exited: Exit | undefined;
    done.then((e) => (exited = e));
    if (!finishing) {
      // where to kill: while starting (10%), the instant a checkpoint write begins (40%), or at a random
      // moment of a random remaining step (50%)
      const mode = rand();
      const gone = () => !!exited;
      const training = () => /^data {6}/m.test(stdout()); // the run directory is taken and cleaned by then
      if (mode < 0.1) await until(() => false, rand() * 3000, gone);
      else if (mode < 0.5) {
        // inotify on checkpoints/: SIGKILL from the event of a temp file's creation
        await until(() => training() && existsSync(ckptDir(run)), 120_000, gone);
        const watcher = exited ? undefined : watch(ckptDir(run), (_ev, name) => {
          if (name?.includes('.tmp-') && !exited) child.kill('SIGKILL');
        });
        await until(() => false, 600_000, gone);
        watcher?.close();
      } else {
        const target = (from ?? 0) + 1 + Math.floor(rand() * (TOTAL_STEPS - (from ?? 0)));
        await until(() => training() && metricsRows(run) >= target - 1, 600_000, gone);
        await until(() => false, rand() * (window / TOTAL_STEPS), gone);
      }
      if (!exited) child.kill('SIGKILL');
    }
    const e = await done;
    if (e.signal === 'SIGKILL') {
      r.kills++;
      if (tempFiles(run).length) r.midCheckpoint++;
      // the newest checkpoint must load and never go backwards
      const step = latestStep(run);
      if (step === undefined) r.beforeFirstCheckpoint++;
      else {
        try {
          await loadCheckpoint(ckptDir(run));
        } catch (err) {
          fail(`after kill ${r.kills}, the newest checkpoint of ${run} does not load: ${(err as Error).message}`);
        }
        if (good !== undefined && step < good) fail(`after kill ${r.kills}, latest.json went back from step ${good} to ${step}`);
      }
      good = step;
      log(`kill ${r.kills}: ${step === undefined ? 'no checkpoint yet' : `checkpoint at step ${step}`}${tempFiles(run).length ? ' (a checkpoint write was in flight)' : ''}`);
    } else if (e.code !== 0) fail(`a restart of ${run} failed (exit ${e.code})`, e);
    // a restart that got as far as loading must have resumed from the newest good checkpoint
    const resumed = /^resume {4}.*: step (\d+)\//m.exec(e.out);
    if (resumed) {
      r.resumes++;
      if (Number(resumed[1]) !== from) fail(`${run} resumed from step ${resumed[1]}, but the newest good checkpoint was step ${from}`, e);
    } else if (from !== undefined && e.code === 0) fail(`${run} started training without resuming from its checkpoint at step ${from}`, e);
    if (e.code === 0) {
      if (!finalTensors(run).equals(expected)) fail(`${run} ended with tensors that differ from the run never killed`);
      r.completedRuns++;
      log(`run ${runNo} complete: final checkpoint byte-identical to the reference`);
      if (finishing) break;
      run = join(o.dir, `run-${++runNo}`);
      good = undefined;
    }
  }
  r.seconds = (performance.now() - t0) / 1000;
  return r;
}
