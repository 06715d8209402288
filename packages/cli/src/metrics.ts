// DIR/metrics.jsonl: one JSON object per logged step, appended as training goes, so a run that
// dies keeps its curve.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appendNoFollow, writeFileSafe } from './safe-fs.js';

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
    writeFileSafe(this.path, keep.map((r) => `${JSON.stringify(r)}\n`).join(''));
  }

  append(row: MetricsRow): void {
    appendNoFollow(this.path, `${JSON.stringify(row)}\n`);
  }
}
