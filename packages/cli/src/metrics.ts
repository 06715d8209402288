// DIR/metrics.jsonl: one JSON object per logged step, appended as training goes, so a run that
// dies keeps its curve; and the progress bar (items/s, ETA) on the terminal.
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import cliProgress from 'cli-progress';

/** One logged step: where it stands, the task's step metrics (loss, lr, accuracy, …) and the pace. */
export interface MetricsRow {
  step: number;
  epoch: number;
  loss: number;
  lr: number;
  /** Training items (images, tokens) per second over the steps since the previous row. */
  itemsPerSec: number;
  /** Seconds of training since the run started (summed over resumed sessions). */
  time: number;
  [metric: string]: number;
}

/** The keys of a row that are not the task's metrics. */
export const ROW_KEYS = ['step', 'epoch', 'itemsPerSec', 'time'] as const;

export const metricsPath = (dir: string): string => join(dir, 'metrics.jsonl');

/** Every row of DIR/metrics.jsonl; a malformed line is an error naming the file and line. */
export function readMetrics(dir: string): MetricsRow[] {
  const path = metricsPath(dir);
  if (!existsSync(path)) return [];
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '');
  return lines.map((l, i) => {
    try {
      return JSON.parse(l) as MetricsRow;
    } catch {
      throw new Error(`${path}:${i + 1}: not a JSON line`);
    }
  });
}

export class MetricsLog {
  readonly path: string;
  /** Opens the log; rows after `fromStep` (logged after the checkpoint being resumed) are dropped. */
  constructor(dir: string, fromStep: number) {
    this.path = metricsPath(dir);
    const keep = readMetrics(dir).filter((r) => r.step <= fromStep);
    writeFileSync(this.path, keep.map((r) => `${JSON.stringify(r)}\n`).join(''));
  }

  append(row: MetricsRow): void {
    appendFileSync(this.path, `${JSON.stringify(row)}\n`);
  }
}

/** A terminal progress bar over the run's steps; a no-op when disabled or not on a TTY. */
export class Progress {
  private bar: cliProgress.SingleBar | null = null;

  constructor(enabled: boolean, total: number, start: number, private readonly unit = 'items') {
    if (!enabled || !process.stderr.isTTY) return;
    this.bar = new cliProgress.SingleBar(
      {
        format: 'epoch {epoch} |{bar}| {value}/{total} steps | {ips} {unit}/s | loss {loss}{extra} | ETA {eta_formatted}',
        hideCursor: true,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(total, start, { epoch: '-', ips: '-', unit, loss: '-', extra: '' });
  }

  update(step: number, row: MetricsRow): void {
    const acc = Object.keys(row).find((k) => k === 'accuracy' || k.endsWith('.accuracy'));
    this.bar?.update(step, { epoch: row.epoch + 1, ips: row.itemsPerSec.toFixed(0), unit: this.unit, loss: row.loss.toFixed(4), extra: acc ? ` | acc ${row[acc].toFixed(3)}` : '' });
  }

  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }
}
