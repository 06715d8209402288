// The `pretext` command in a child process, as a user runs it (`pnpm pretext`: main.ts with tsx),
// for the end-to-end tests and the crash harness.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
}

/** Starts `pretext …args`; `done` resolves with its exit and output; `stdout()` is what it printed so far. */
export function startPretext(args: string[], env: Record<string, string> = {}): { child: ChildProcess; done: Promise<Exit>; stdout: () => string } {
  // node itself with tsx's loader (not the tsx binary, which runs node as a child a kill would orphan)
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', join(ROOT, 'packages/cli/src/main.ts'), ...args], { cwd: ROOT, env: { ...process.env, ...env } });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (err += d));
  const done = new Promise<Exit>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, out, err }));
  });
  return { child, done, stdout: () => out };
}

export const pretext = (args: string[], env: Record<string, string> = {}): Promise<Exit> => startPretext(args, env).done;
