// The base side's checkout: the base ref in a temporary `git worktree`, installed from the pnpm
// store (offline first: a store that served head has almost every package the base needs),
// with its WGSL codegen (pnpm's postinstall) and its turbo build (turbo keeps one cache per
// repository, in the main worktree, so packages that did not change since base are restored,
// not rebuilt). Errors say which ref and which step.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A base that cannot be used: unknown ref, missing history, failed install or build. */
export class BaseError extends Error {
  override name = 'BaseError';
}

export type Run = (cmd: string, args: readonly string[], opts: { cwd: string; env?: Record<string, string> }) => { status: number | null; output: string };

/** Runs a command, capturing stdout and stderr together (for the error message). */
export const runCommand: Run = (cmd, args, opts) => {
  const r = spawnSync(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { status: r.error ? -1 : r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}` };
};

const tail = (s: string, lines = 25) => s.trimEnd().split('\n').slice(-lines).join('\n');

/**
 * The commit `ref` names in the repository at `repo`, or a BaseError that says why not: no such
 * ref, or history a shallow clone does not have.
 */
export function resolveRef(repo: string, ref: string, run: Run = runCommand): string {
  if (!ref || ref.startsWith('-')) throw new BaseError(`--base needs a git ref (a branch, tag, commit or HEAD~1), got '${ref}'`);
  const r = run('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd: repo });
  const sha = r.output.trim();
  if (r.status === 0 && /^[0-9a-f]{40}$/.test(sha)) return sha;
  const shallow = run('git', ['rev-parse', '--is-shallow-repository'], { cwd: repo }).output.trim() === 'true';
  throw new BaseError(
    shallow
      ? `unknown base ref '${ref}': this clone is shallow and does not have it (fetch more history, e.g. git fetch --deepen=1, or clone without --depth)`
      : `unknown base ref '${ref}': git rev-parse finds no commit by that name in ${repo}`,
  );
}

export interface BaseCheckout {
  dir: string;
  sha: string;
  /** Removes the worktree (unless it is kept for reuse). */
  cleanup(): void;
}

const READY = '.pretext-bench-base';

/**
 * Checks `sha` out into `<tmp>/pretext-bench-base-<sha>` and installs, generates and builds it.
 * A directory left by an earlier `--keep-base` run of the same commit, marked ready, is reused.
 */
export function prepareBase(repo: string, sha: string, opts: { keep: boolean; build?: boolean; log: (l: string) => void; run?: Run; dir?: string }): BaseCheckout {
  const run = opts.run ?? runCommand;
  const dir = opts.dir ?? join(tmpdir(), `pretext-bench-base-${sha.slice(0, 12)}`);
  const short = sha.slice(0, 10);
  const cleanup = () => {
    if (opts.keep) return;
    run('git', ['worktree', 'remove', '--force', dir], { cwd: repo });
    run('git', ['worktree', 'prune'], { cwd: repo });
  };
  const marker = join(dir, READY);
  const mark = existsSync(marker) ? readFileSync(marker, 'utf8').trim() : '';
  // '<sha>' marks a built checkout, '<sha> unbuilt' one made with --no-build
  if (mark === sha || (opts.build === false && mark === `${sha} unbuilt`)) {
    opts.log(`base ${short}: reusing the checkout in ${dir}`);
    return { dir, sha, cleanup };
  }
  const step = (what: string, cmd: string, args: string[], cwd: string, env?: Record<string, string>) => {
    const t0 = Date.now();
    const r = run(cmd, args, { cwd, env });
    if (r.status !== 0) return r;
    opts.log(`base ${short}: ${what} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    return r;
  };
  const fail = (what: string, r: { status: number | null; output: string }) => {
    cleanup();
    return new BaseError(`base ${short} does not build: ${what} failed (exit ${r.status}):\n${tail(r.output)}`);
  };
  if (existsSync(dir)) {
    run('git', ['worktree', 'remove', '--force', dir], { cwd: repo });
    run('git', ['worktree', 'prune'], { cwd: repo });
  }
  const add = step('git worktree add', 'git', ['worktree', 'add', '--detach', '--force', dir, sha], repo);
  if (add.status !== 0) throw new BaseError(`base ${short}: git worktree add ${dir} failed (exit ${add.status}):\n${tail(add.output)}`);
  // ONNXRUNTIME_NODE_INSTALL=skip: its install script would download CUDA files and fail
  const env = { ONNXRUNTIME_NODE_INSTALL: 'skip', CI: 'true' };
  let install = step('pnpm install --offline', 'pnpm', ['install', '--frozen-lockfile', '--offline', '--reporter=silent'], dir, env);
  if (install.status !== 0) {
    opts.log(`base ${short}: an offline install failed (a package head does not use?); trying with the registry`);
    install = step('pnpm install', 'pnpm', ['install', '--frozen-lockfile', '--prefer-offline', '--reporter=silent'], dir, env);
    if (install.status !== 0) throw fail('pnpm install --frozen-lockfile', install);
  }
  const build = opts.build === false ? { status: 0, output: '' } : step('turbo run build', 'pnpm', ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only'], dir);
  if (build.status !== 0) throw fail('turbo run build', build);
  if (!existsSync(join(dir, 'bench', 'src', 'index.ts'))) {
    cleanup();
    throw new BaseError(`base ${short} has no bench harness (bench/src/index.ts): nothing to compare against`);
  }
  writeFileSync(marker, `${sha}${opts.build === false ? ' unbuilt' : ''}\n`);
  return { dir, sha, cleanup };
}
