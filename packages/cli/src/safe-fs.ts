// Writes into a run directory that never follow a symbolic link out of it: a whole file goes to a
// fresh temp file (O_EXCL | O_NOFOLLOW) renamed over the target (rename replaces a link, it never
// writes through one); an append opens with O_NOFOLLOW. Reads of files a run names (figures in
// summary.json) stay inside the directory.
import { closeSync, constants, fstatSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';

const CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** Writes `path` whole or not at all, never through a symbolic link. */
export function writeFileSafe(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  rmSync(tmp, { force: true });
  const fd = openSync(tmp, CREATE, 0o644);
  try {
    try {
      writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true }); // a reader never sees half a file, nor a temp file left behind
    throw e;
  }
}

/** Appends to `path` (created if absent); a symbolic link there is an error, not followed. */
export function appendNoFollow(path: string, text: string): void {
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ELOOP') throw new Error(`${path} is a symbolic link; refusing to write through it`);
    throw e;
  }
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

/**
 * The bytes of `name` in `dir` when it is a plain file name of a regular file there (no path, no
 * symbolic link); undefined otherwise. For file names read from a run's JSON, which anyone may edit.
 */
export function readInside(dir: string, name: unknown): Buffer | undefined {
  if (typeof name !== 'string' || name !== basename(name) || name.startsWith('.') || name === '') return undefined;
  let fd: number;
  try {
    fd = openSync(join(dir, name), constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    return fstatSync(fd).isFile() ? readFileSync(fd) : undefined;
  } finally {
    closeSync(fd);
  }
}
