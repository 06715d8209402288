// The parent's handle on one worker process (worker.ts): fork it under tsx in a checkout, send
// requests over IPC, get answers; a crash, a hang or a thrown error becomes a rejected promise
// naming the side and the request.
import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Loaded, Request, SetUp } from './worker.js';

const WORKER = fileURLToPath(new URL('../../src/check/worker.ts', import.meta.url));

/** How long one request may take before the worker is presumed hung and killed, ms. */
const TIMEOUT_MS: Record<Request['op'], number> = { load: 180_000, setup: 300_000, sample: 180_000, dispose: 60_000, exit: 30_000 };

/**
 * Linux's taskset, to start a worker on one CPU: both sides of a round go on the same CPU. Unpinned,
 * the scheduler put the two workers (forked one after the other) on different CPUs, and when the
 * other load sat on one of them, every sample of one side was slow for a whole round and the next
 * (seen: unchanged matmul read 1.6× and 5× slower in two rounds of fresh processes).
 */
const TASKSET = ['/usr/bin/taskset', '/bin/taskset'].find((p) => existsSync(p)) ?? null;

export interface SideOptions {
  /** 'base' or 'head': names the side in every error. */
  side: string;
  /** The checkout whose cases and packages this worker runs. */
  root: string;
  /** Extra environment for this side only (e.g. a slowdown switch in a proof). */
  env?: Record<string, string>;
  /** Run the worker on this CPU only (when taskset exists). */
  cpu?: number;
}

export class Sampler {
  private readonly child: ChildProcess;
  private next = 0;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void; timer: NodeJS.Timeout }>();
  private dead: string | null = null;

  constructor(readonly opts: SideOptions) {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const node = ['--conditions=source', '--import', tsx];
    const pin = opts.cpu != null && TASKSET != null;
    this.child = fork(WORKER, ['--root', opts.root], {
      cwd: opts.root,
      // fork runs execPath execArgv… WORKER args…: taskset -c <cpu> node … keeps the IPC channel
      ...(pin ? { execPath: TASKSET as string, execArgv: ['-c', String(opts.cpu), process.execPath, ...node] } : { execArgv: node }),
      // the worker's stdout goes to our stderr: our stdout carries the report
      stdio: ['ignore', 2, 2, 'ipc'],
      env: {
        ...process.env,
        XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp',
        // lavapipe on one thread unless the caller chose: on 2 shared cores, whether its second
        // thread found a free core flipped between samples (one kernel read 0.35 or 0.6 ms); a
        // kernel's parallel scaling is the bench's business, not this comparison's
        LP_NUM_THREADS: process.env.LP_NUM_THREADS ?? '1',
        ...opts.env,
      },
    });
    this.child.on('message', (m: { id: number; ok: boolean; value?: unknown; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      clearTimeout(p.timer);
      if (m.ok) p.resolve(m.value);
      else p.reject(new Error(`${opts.side}: ${m.error}`));
    });
    this.child.on('exit', (code, signal) => {
      this.dead = signal ? `killed by ${signal}` : `exited with code ${code}`;
      for (const [id, p] of this.pending) {
        clearTimeout(p.timer);
        p.reject(new Error(`${opts.side}: the worker process ${this.dead}`));
        this.pending.delete(id);
      }
    });
  }

  private call<T>(req: Request, what: string = req.op): Promise<T> {
    if (this.dead) return Promise.reject(new Error(`${this.opts.side}: the worker process ${this.dead} before ${what}`));
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.opts.side}: ${what} took over ${TIMEOUT_MS[req.op] / 1000} s; worker killed`));
        this.child.kill('SIGKILL');
      }, TIMEOUT_MS[req.op]);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.child.send({ id, req });
    });
  }

  /** False once the process has exited (crashed, killed after a hang). */
  get alive(): boolean {
    return this.dead == null;
  }

  load(quick: boolean): Promise<Loaded> {
    return this.call({ op: 'load', quick });
  }
  setup(name: string, warmup: number): Promise<SetUp> {
    return this.call({ op: 'setup', name, warmup }, `setup of '${name}'`);
  }
  sample(reps: number): Promise<number> {
    return this.call({ op: 'sample', reps });
  }
  dispose(): Promise<void> {
    return this.call({ op: 'dispose' });
  }

  /** Asks the worker to exit; kills it if it does not within the timeout. */
  async close(): Promise<void> {
    if (this.dead) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    await this.call({ op: 'exit' }).catch(() => this.child.kill('SIGKILL'));
    await exited;
  }
}
