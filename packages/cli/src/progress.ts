// Training progress wherever the output goes: on a terminal, a bar with items/s and ETA; piped,
// in CI or a log file, a plain line every N steps and at the end of each epoch (step, epoch, loss,
// items/s, ETA), so a long run is never silent.
import cliProgress from 'cli-progress';

export interface ProgressOptions {
  total: number;
  /** The step a resumed run starts from. */
  start: number;
  stepsPerEpoch: number;
  epochs: number;
  unit: string;
  itemsPerStep: number;
  /** Plain lines every this many steps (default: about 50 a run). */
  every?: number;
  /** Where plain lines go (the run log). */
  log: (line: string) => void;
  /** Draw the bar (a terminal, not CI); default: stderr is a TTY and CI is unset. */
  tty?: boolean;
}

/** "1h02m", "14m03s", "9s". */
export function duration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '—';
  const t = Math.round(s);
  const [h, m, sec] = [Math.floor(t / 3600), Math.floor((t % 3600) / 60), t % 60];
  return h ? `${h}h${String(m).padStart(2, '0')}m` : m ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}

/** The accuracy-like metric a step reports, if any (shown next to the loss). */
const accuracyOf = (m: Record<string, number>) => Object.keys(m).find((k) => k === 'accuracy' || k.endsWith('.accuracy'));

export class Progress {
  private bar: cliProgress.SingleBar | null = null;
  private readonly every: number;
  private readonly t0 = performance.now();
  private last: { step: number; time: number };

  constructor(private readonly o: ProgressOptions) {
    this.every = o.every ?? Math.max(1, Math.round(o.total / 50));
    this.last = { step: o.start, time: this.t0 };
    const tty = o.tty ?? (!!process.stderr.isTTY && !process.env.CI);
    if (!tty) return;
    this.bar = new cliProgress.SingleBar(
      { format: 'epoch {epoch} |{bar}| {value}/{total} steps | {ips} {unit}/s | loss {loss}{extra} | ETA {eta_formatted}', hideCursor: true, etaBuffer: 50 },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(o.total, o.start, { epoch: '-', ips: '-', unit: o.unit, loss: '-', extra: '' });
  }

  /** After each step: `step` done (counted as metrics.jsonl counts), its metrics, whether it ended an epoch. */
  update(step: number, epoch: number, m: Record<string, number>, epochEnd: boolean): void {
    const now = performance.now();
    const acc = accuracyOf(m);
    if (this.bar) {
      const ips = ((step - this.o.start) * this.o.itemsPerStep) / Math.max((now - this.t0) / 1000, 1e-9);
      this.bar.update(step, { epoch: epoch + 1, ips: ips.toFixed(0), unit: this.o.unit, loss: m.loss.toFixed(4), extra: acc ? ` | acc ${m[acc].toFixed(3)}` : '' });
      return;
    }
    if (step % this.every !== 0 && !epochEnd && step !== this.o.total) return;
    // pace over the steps since the previous line; ETA from this session's average pace
    const ips = ((step - this.last.step) * this.o.itemsPerStep) / Math.max((now - this.last.time) / 1000, 1e-9);
    const perStep = (now - this.t0) / 1000 / Math.max(step - this.o.start, 1);
    this.last = { step, time: now };
    const pct = ((100 * step) / this.o.total).toFixed(1);
    this.o.log(
      `step ${step}/${this.o.total} (${pct}%) · epoch ${epoch + 1}/${this.o.epochs} · loss ${m.loss.toFixed(4)}${acc ? ` · ${acc} ${m[acc].toFixed(3)}` : ''} · ${ips.toFixed(1)} ${this.o.unit}/s · ETA ${duration(perStep * (this.o.total - step))}`,
    );
  }

  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }
}
