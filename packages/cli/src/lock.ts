// One writer per run directory: DIR/.lock holds the owner's pid, host and start time. A second
// `pretext train` on the same directory is refused while the owner lives; a lock whose process
// is gone (killed, crashed, machine rebooted) is stale and taken over with a note.
import { closeSync, constants, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { UsageError } from './flags.js';

export const LOCK_FILE = '.lock';

interface LockInfo {
  pid: number;
  host: string;
  /** The owner's start time as Linux counts it (/proc/<pid>/stat field 22), to tell a reused pid. */
  procStart?: string;
  started: string;
  command: string;
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot), where there is /proc. */
function procStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function alive(l: LockInfo): boolean {
  if (l.host !== hostname()) return true; // another machine's process: cannot tell, assume it lives
  try {
    process.kill(l.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const now = procStart(l.pid);
  return !(l.procStart && now && now !== l.procStart); // the pid was reused by another process
}

export class RunLock {
  private constructor(readonly path: string) {}

  /**
   * Takes DIR/.lock (O_EXCL: exactly one process wins a race); `note` hears about a stale lock taken
   * over. Throws a UsageError naming the owner while it lives.
   */
  static acquire(dir: string, note: (line: string) => void = () => {}): RunLock {
    const path = join(dir, LOCK_FILE);
    const me: LockInfo = { pid: process.pid, host: hostname(), procStart: procStart(process.pid), started: new Date().toISOString(), command: process.argv.slice(2).join(' ') };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
        try {
          writeSync(fd, JSON.stringify(me));
        } finally {
          closeSync(fd);
        }
        return new RunLock(path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const owner = readLock(path);
      if (!owner && Date.now() - mtimeMs(path) < 10_000) throw new UsageError(`run directory ${dir} is being taken by another process (${path} is new and not yet written); pick another --out`);
      if (owner && alive(owner)) {
        throw new UsageError(`run directory ${dir} is in use by pid ${owner.pid} on ${owner.host} (since ${owner.started}: pretext ${owner.command}); wait for it to finish, or pick another --out`);
      }
      note(`lock      ${path} was left by ${owner ? `pid ${owner.pid}, which is gone` : 'an unreadable writer'}; taking it over`);
      rmSync(path, { force: true });
    }
    throw new UsageError(`run directory ${dir}: could not take ${path} (another process keeps taking it)`);
  }

  /** Removes the lock if it is still ours (idempotent). */
  release(): void {
    const owner = readLock(this.path);
    if (owner?.pid === process.pid && owner.host === hostname()) rmSync(this.path, { force: true });
  }
}

function mtimeMs(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function readLock(path: string): LockInfo | undefined {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
    return Number.isSafeInteger(v.pid) ? v : undefined;
  } catch {
    return undefined; // a half-written or foreign file: treated as stale
  }
}
