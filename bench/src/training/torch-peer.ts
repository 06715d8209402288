// The PyTorch peer of a training step: the same step (same model, batch and optimizer) in PyTorch on
// the CPU, driven by bench/torch/<script>.py --serve in a child process. The harness interleaves it
// with our steps (ours, PyTorch, ours, …) so both run under the same load. When no python3 with
// torch is found, `findTorch` says why and the column carries that reason instead of a number.
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** What a step case asks PyTorch to run: a script of bench/torch/ and its arguments. */
export interface TorchStep {
  script: 'simclr_step.py' | 'lm_step.py';
  args: string[];
}

export interface TorchFound {
  python: string;
  version: string;
}

/** bench/torch/ beside the sources; a bundle elsewhere sets PRETEXT_BENCH_TORCH. */
const SCRIPTS = process.env.PRETEXT_BENCH_TORCH ?? fileURLToPath(new URL('../../torch/', import.meta.url));

const IMPORT_TIMEOUT_MS = 300_000;

/** Why `python -c 'import torch'` failed, in words. */
function whyNot(r: ReturnType<typeof spawnSync>): string {
  const code = (r.error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'not found';
  if (code === 'ETIMEDOUT') return `import torch took over ${IMPORT_TIMEOUT_MS / 1000} s`;
  if (r.error) return r.error.message;
  return String(r.stderr).trim().split('\n').pop() || `exit ${r.status}`;
}

const found = new Map<string, TorchFound | { reason: string }>();

/** $PRETEXT_PYTHON when set, else python3 and /usr/bin/python3 (Debian's python3-torch). */
export const pythons = (): string[] => (process.env.PRETEXT_PYTHON ? [process.env.PRETEXT_PYTHON] : ['python3', '/usr/bin/python3']);

/**
 * The first of `candidates` that imports torch (cached), or why none does: the reason the report
 * prints in the PyTorch column.
 */
export function findTorch(candidates = pythons()): TorchFound | { reason: string } {
  const key = candidates.join('\0');
  const known = found.get(key);
  if (known) return known;
  const tried: string[] = [];
  let out: TorchFound | undefined;
  for (const python of candidates) {
    // importing torch loads ~1 GB of libraries: give a loaded machine minutes
    const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: IMPORT_TIMEOUT_MS });
    if (r.status === 0) {
      out = { python, version: r.stdout.trim() };
      break;
    }
    tried.push(`${python}: ${whyNot(r)}`);
  }
  const result = out ?? { reason: `no python3 with torch (${tried.join('; ')}); scripts/setup.sh --torch installs it` };
  found.set(key, result);
  return result;
}

/** A running PyTorch step server: one `step()` = one timed step on its side, in ms. */
export interface TorchServer {
  name: string;
  /** Values PyTorch's step trains (to compare with our model's). */
  params: number;
  step(): Promise<number>;
  close(): void;
}

/**
 * Starts bench/torch/<script> --serve and waits for its warm-up to finish. Without `threads` the
 * script runs at the faster of 1 thread and torch's default (serve.py's pick_threads).
 */
export async function startTorch(t: TorchStep, torch: TorchFound, threads?: number): Promise<TorchServer> {
  const args = [`${SCRIPTS}${t.script}`, ...t.args, ...(threads ? ['--threads', String(threads)] : []), '--serve'];
  const child: ChildProcessWithoutNullStreams = spawn(torch.python, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-2000);
  });
  const lines: Interface = createInterface({ input: child.stdout });
  const waiting: ((line: string | null) => void)[] = [];
  const queued: string[] = [];
  lines.on('line', (l) => (waiting.length ? waiting.shift()?.(l) : queued.push(l)));
  child.on('close', () => {
    for (const w of waiting.splice(0)) w(null);
  });
  const next = () => new Promise<string | null>((resolve) => (queued.length ? resolve(queued.shift() as string) : waiting.push(resolve)));
  const read = async (what: string): Promise<Record<string, unknown>> => {
    const line = await next();
    if (line == null) throw new Error(`PyTorch ${t.script} exited before ${what}: ${stderr.trim().split('\n').slice(-3).join(' | ') || `exit ${child.exitCode}`}`);
    const msg = JSON.parse(line) as Record<string, unknown>;
    if (msg.error) throw new Error(`PyTorch ${t.script}: ${String(msg.error)}`);
    return msg;
  };
  try {
    const ready = await read('it was ready');
    return {
      name: `PyTorch ${String(ready.torch)} CPU (${String(ready.threads)} threads, bench/torch/${t.script})`,
      params: Number(ready.params),
      async step() {
        child.stdin.write('step\n');
        const ms = Number((await read('a step ended')).ms);
        if (!(ms > 0)) throw new Error(`PyTorch ${t.script}: a step reported ${ms} ms`);
        return ms;
      },
      close() {
        if (child.exitCode == null) {
          child.stdin.end('quit\n');
          child.kill();
        }
      },
    };
  } catch (e) {
    child.kill();
    throw e;
  }
}
