// tfjs's gradient registry. The tfjs-core node bundle the harness loads registers no gradients;
// the @tensorflow/tfjs union package registers all of them into the tfjs-core it requires, which
// pnpm resolves to the same tfjs-core file as ours: one copy, one registry (checked below).
import type { Tf } from '../case.js';

/** Makes sure `tf` has gradients for the ops a training step uses; throws if it cannot. */
export async function ensureTfGradients(tf: Tf): Promise<void> {
  if (tf.getGradient('Conv2D')) return;
  await import('@tensorflow/tfjs');
  if (!tf.getGradient('Conv2D')) {
    throw new Error('tfjs gradients: @tensorflow/tfjs registered its gradients into another copy of @tensorflow/tfjs-core; both must resolve to one file (check `pnpm why @tensorflow/tfjs-core`)');
  }
}

/** AdamW as tfjs lacks it: decoupled decay w ← w·(1 − lr·λ) on matrices, then tf.train.adam. */
export function tfAdamW(tf: Tf, vars: import('@tensorflow/tfjs-core').Variable[], lr: number, weightDecay: number) {
  const opt = tf.train.adam(lr, 0.9, 0.999, 1e-8);
  const decayed = vars.filter((v) => v.rank > 1);
  return {
    /** One update minimising loss() over vars; returns nothing (no readback). */
    minimize(loss: () => import('@tensorflow/tfjs-core').Scalar): void {
      tf.tidy(() => {
        for (const v of decayed) v.assign(tf.mul(v, 1 - lr * weightDecay));
      });
      opt.minimize(loss, false, vars);
    },
    dispose: () => opt.dispose(),
  };
}
