// Where a training run writes: the run directory is taken with a lock (lock.ts), cleared of temp
// files that killed writes left, and checked to be what the command expects — a fresh or
// restartable directory for a new run, a run with a checkpoint for --resume, only pretext's own
// files for --overwrite. No dead ends: every refusal names the way forward.
import { existsSync, lstatSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { removeStaleTemps } from '@pretext/core/checkpoint';
import { checkpointDir } from './checkpoints.js';
import { UsageError } from './flags.js';
import { LOCK_FILE, RunLock } from './lock.js';

/** What `pretext train` writes into a run directory: all --overwrite may delete. */
export const RUN_FILES = ['checkpoints', 'metrics.jsonl', 'summary.json', 'report.html', 'embedding.json', 'augmentations.png', 'neighbours.png'] as const;

export interface RunDir {
  /** True when a checkpoint is to be continued; false for a run from step 0. */
  resume: boolean;
  lock: RunLock;
}

/** `base` if it is absent or empty, else the first of base-2, base-3, … that is. */
export function freshDir(base: string): string {
  const free = (d: string) => !existsSync(d) || readdirSync(d).length === 0;
  if (free(base)) return base;
  for (let k = 2; ; k++) if (free(`${base}-${k}`)) return `${base}-${k}`;
}

const hasCheckpoint = (dir: string) => existsSync(join(checkpointDir(dir), 'latest.json'));

/**
 * Takes `dir` for a run: new (resume false, overwrite false), continued (resume) or started over
 * (overwrite). A directory holding only pretext's files and no checkpoint — a run that died before
 * its first one — restarts in place either way. Refusals change nothing on disk.
 */
export async function takeRunDir(dir: string, o: { resume: boolean; overwrite: boolean; log: (line: string) => void }): Promise<RunDir> {
  if (o.resume && o.overwrite) throw new UsageError('--resume and --overwrite contradict each other: continue the run or start it over, not both');
  if (o.resume && !existsSync(dir)) throw new UsageError(`run directory ${dir} does not exist`);
  const created = !existsSync(dir);
  mkdirSync(dir, { recursive: true });
  // a lock or temp files alone: a run killed before it wrote anything else (evidence of pretext, like its files)
  const leftBehind = readdirSync(dir).some((f) => f === LOCK_FILE || /\.tmp-\d+$/.test(f));
  const lock = RunLock.acquire(dir, o.log);
  try {
    for (const f of RUN_FILES) {
      if (isLink(join(dir, f))) throw new UsageError(`${join(dir, f)} is a symbolic link; a run directory's files must be its own (remove the link or pick another --out)`);
    }
    const foreign = readdirSync(dir).filter((f) => f !== LOCK_FILE && !(RUN_FILES as readonly string[]).includes(f) && !/\.tmp-\d+$/.test(f));
    const ours = leftBehind || readdirSync(dir).some((f) => (RUN_FILES as readonly string[]).includes(f));
    const checkpointed = hasCheckpoint(dir);
    let resume = o.resume;
    if (o.overwrite || (!checkpointed && ours)) {
      if (foreign.length) throw new UsageError(`${dir} also holds files pretext did not write (${foreign.slice(0, 5).join(', ')}${foreign.length > 5 ? ', …' : ''}); starting over deletes only a run's own files: move them or pick another --out`);
      if (!o.overwrite) o.log(`restart   ${dir} has no checkpoint (its run stopped before the first one): starting it over in place`);
      else if (ours) o.log(`overwrite ${dir}: deleting the previous run`);
      for (const f of RUN_FILES) rmSync(join(dir, f), { recursive: true, force: true });
      resume = false;
    } else if (o.resume && !checkpointed) {
      throw new UsageError(`no checkpoint in ${dir} (expected ${join(checkpointDir(dir), 'latest.json')}); is it a \`pretext train\` run directory? Without --resume a new run starts there`);
    } else if (!o.resume && !created && readdirSync(dir).some((f) => f !== LOCK_FILE)) {
      const what = checkpointed ? 'holds a run with a checkpoint' : 'is not empty';
      throw new UsageError(`output directory ${dir} ${what}; pass --resume to continue it, --overwrite to start it over, or --out ${freshDir(dir)}`);
    }
    const stale = [...(await removeStaleTemps(dir)), ...(await removeStaleTemps(checkpointDir(dir)))];
    if (stale.length) o.log(`cleanup   removed ${stale.length} temp file(s) of interrupted writes: ${stale.join(', ')}`);
    return { resume, lock };
  } catch (e) {
    lock.release();
    if (created) rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

function isLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}
