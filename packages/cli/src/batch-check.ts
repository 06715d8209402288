// A step takes one full batch: training data smaller than that is refused before any step, by
// the runner's loader (images) or by the trainer (any loader that would yield no batch).
import { OptionError, type TaskConfig } from '@pretext/tasks';

/** The error for training data (`holds`: what it is and how much) smaller than one batch. */
export function batchTooLarge(cfg: TaskConfig, holds: string): OptionError {
  return new OptionError(`--batch-size ${cfg.batchSize} is more than the training data holds (${holds}); a step needs one full batch: use --batch-size from 2 up to the training set's size, or a larger --train-limit`);
}
