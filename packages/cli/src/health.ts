// What the trainer checks after every step, from the metrics the step already read back (no extra
// readback): a finite loss, finite parameters (‖θ‖ from the step's packed metrics sees a NaN
// weight that the loss hides), and embeddings that have not collapsed to a point.
import { flagOf, PARAM_NORM, type Schema, type TaskConfig } from '@pretext/tasks';

/** What the messages read of a task: its options (to name the flags that exist). */
type HasOptions = { readonly options: Schema };

/**
 * Collapse threshold on the mean per-dimension std of L2-normalised embeddings (`embeddingStd`):
 * well-spread embeddings sit near 1/√d (0.088 at d = 128, 0.022 at d = 2048); a collapsed run
 * drops towards 0. Below 0.01 the spread is under half of the healthy value for any d ≤ 8192.
 */
export const COLLAPSE_STD = 0.01;

/** A step whose numbers say training broke: the message names the step as metrics.jsonl counts it. */
export class DivergenceError extends Error {
  override name = 'DivergenceError';
}

/** "--lr (now 0.003) or --warmup-steps (now 10)": the task's own flags among `keys`, with their values. */
function knobs(task: HasOptions, cfg: TaskConfig, keys: string[]): string {
  return keys.filter((k) => k in task.options).map((k) => `${flagOf(k)} (now ${String(cfg[k])})`).join(', ');
}

/**
 * Throws a DivergenceError when the loss or the parameters are not finite after step `step`
 * (1-based, as metrics.jsonl counts); `lastGood` is the step of the newest checkpoint.
 */
export function checkStep(task: HasOptions, cfg: TaskConfig, step: number, epoch: number, m: Record<string, number>, lastGood: number | undefined): void {
  const what = !Number.isFinite(m.loss) ? `the loss is ${m.loss}` : m[PARAM_NORM] !== undefined && !Number.isFinite(m[PARAM_NORM]) ? `the parameters hold NaN or Inf (‖θ‖ = ${m[PARAM_NORM]})` : null;
  if (!what) return;
  const saved = lastGood === undefined ? 'no checkpoint was saved before it' : `the last checkpoint (step ${lastGood}) was saved before it and is intact`;
  throw new DivergenceError(`step ${step} (epoch ${epoch + 1}): ${what}; training diverged, ${saved}. Start over (--overwrite) with a lower ${knobs(task, cfg, ['lr', 'warmupSteps', 'clipNorm'])}, or check the data`);
}

/** A warning line when an embedding-spread metric fell below COLLAPSE_STD, else undefined. */
export function collapseWarning(task: HasOptions, cfg: TaskConfig, step: number, m: Record<string, number>): string | undefined {
  const key = Object.keys(m).find((k) => (k === 'embeddingStd' || k.endsWith('.embeddingStd')) && m[k] < COLLAPSE_STD);
  if (!key) return undefined;
  const tune = knobs(task, cfg, ['tau', 'lr', 'batchSize', 'momentum']);
  return `warning   step ${step}: ${key} ${m[key].toPrecision(3)} < ${COLLAPSE_STD}: the embeddings are collapsing to a point (healthy ≈ 1/√d)${tune ? `; try another ${tune}` : ''}`;
}
