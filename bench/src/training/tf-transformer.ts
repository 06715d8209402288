// The language-model Transformer step in tfjs-backend-webgpu ops, the same model as our gpt and
// mlm tasks': embedding via gather + learned positions, pre-norm blocks (layer norm via moments;
// multi-head attention from matMul + softmax with an additive key-padding mask, plus a causal
// mask for gpt; GELU, tanh form, composed), final layer norm, tied LM head, softmaxCrossEntropy
// weighted to the predicted positions (mlm: the masked ones), AdamW.
import type { Tf } from '../case.js';
import type { Scalar, Tensor, Tensor2D, Variable } from '@tensorflow/tfjs-core';
import type { StepPeerInstance } from './case.js';
import type { MlmBatch } from './mlm-batch.js';
import { ensureTfGradients, tfAdamW } from './tf-grads.js';

export interface EncoderShape {
  layers: number;
  dim: number;
  heads: number;
  vocab: number;
  /** gpt: each position sees only itself and the positions before it. */
  causal?: boolean;
  lr: number;
  weightDecay: number;
}

export function tfTransformerStep(tf: Tf, shape: EncoderShape, batch: MlmBatch, seed = 1) {
  const { b, t } = batch;
  const { dim: d, heads: nh, vocab } = shape;
  const hs = d / nh;
  let s = seed;
  const uniform = (shape: number[], fanIn: number) => tf.variable(tf.randomUniform(shape, -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn), 'float32', s++));
  const norm = () => ({ g: tf.variable(tf.ones([d])), b: tf.variable(tf.zeros([d])) });
  const tok = tf.variable(tf.randomNormal([vocab, d], 0, 0.02, 'float32', s++));
  const pos = tf.variable(tf.randomNormal([t, d], 0, 0.02, 'float32', s++));
  const layers = Array.from({ length: shape.layers }, () => ({
    ln1: norm(),
    qkv: uniform([d, 3 * d], d), qkvB: uniform([3 * d], d),
    proj: uniform([d, d], d), projB: uniform([d], d),
    ln2: norm(),
    fc: uniform([d, 4 * d], d), fcB: uniform([4 * d], d),
    out: uniform([4 * d, d], 4 * d), outB: uniform([d], 4 * d),
  }));
  const lnf = norm();
  const vars: Variable[] = [tok, pos, lnf.g, lnf.b, ...layers.flatMap((l) => [l.ln1.g, l.ln1.b, l.qkv, l.qkvB, l.proj, l.projB, l.ln2.g, l.ln2.b, l.fc, l.fcB, l.out, l.outB])];
  const opt = tfAdamW(tf, vars, shape.lr, shape.weightDecay);

  const ids = tf.tensor2d(batch.ids, [b, t], 'int32');
  const padBias = tf.reshape(tf.mul(tf.sub(1, tf.tensor2d(batch.keep, [b, t], 'float32')), -1e9), [b, 1, 1, t]); // 0 = attend, −1e9 = padding
  const causalBias = tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([t, t]), -1, 0)), -1e9); // (T, T): −1e9 above the diagonal
  const keyBias = shape.causal ? tf.add(padBias, causalBias) : padBias;
  const onehot = tf.oneHot(tf.tensor1d(batch.targets.map((v) => Math.max(v, 0)), 'int32'), vocab); // (B·T, vocab)
  const weights = tf.tensor1d(batch.targets.map((v) => (v >= 0 ? 1 : 0)), 'float32'); // loss only at masked positions

  const layerNorm = (x: Tensor2D, p: { g: Variable; b: Variable }): Tensor2D => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), p.g), p.b);
  };
  const linear = (x: Tensor2D, w: Variable, bias: Variable): Tensor2D => tf.add(tf.matMul(x, w as Tensor2D), bias);
  // GELU, tanh approximation: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
  const gelu = (x: Tensor2D): Tensor2D => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI)))));
  // (B·T, C) → (B, nh, T, hs); q, k, v come from tf.split of the (B·T, 3C) projection (2-D: the
  // gradient of a 5-D slice is a rank-5 pad, which tfjs-webgpu 4.22 fails to compile)
  const heads = (x: Tensor) => tf.transpose(tf.reshape(x, [b, t, nh, hs]), [0, 2, 1, 3]);

  const loss = (): Scalar => {
    let x = tf.reshape(tf.add(tf.gather(tok, ids), pos), [b * t, d]) as Tensor2D; // (B·T, C)
    for (const l of layers) {
      const [q, k, v] = tf.split(linear(layerNorm(x, l.ln1), l.qkv, l.qkvB), 3, 1).map(heads); // 3 × (B, nh, T, hs)
      const att = tf.softmax(tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(hs)), keyBias)); // (B, nh, T, T)
      const y = tf.reshape(tf.transpose(tf.matMul(att, v), [0, 2, 1, 3]), [b * t, d]) as Tensor2D; // (B·T, C)
      x = tf.add(x, linear(y, l.proj, l.projB));
      x = tf.add(x, linear(gelu(linear(layerNorm(x, l.ln2), l.fc, l.fcB)), l.out, l.outB));
    }
    const logits = tf.matMul(layerNorm(x, lnf), tok as Tensor2D, false, true); // (B·T, vocab), tied head
    return tf.losses.softmaxCrossEntropy(onehot, logits, weights) as Scalar;
  };

  return {
    step: () => opt.minimize(loss),
    loss: async () => {
      const l = tf.tidy(loss);
      const v = (await l.data())[0];
      l.dispose();
      return v;
    },
    dispose() {
      opt.dispose();
      tf.dispose([...vars, ids, padBias, causalBias, keyBias, onehot, weights] as Tensor[]);
    },
  };
}

export async function tfTransformerPeer(tf: Tf, shape: EncoderShape, batch: MlmBatch): Promise<StepPeerInstance> {
  await ensureTfGradients(tf);
  const s = tfTransformerStep(tf, shape, batch);
  return { run: () => s.step(), dispose: () => s.dispose() };
}
