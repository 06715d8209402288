// One conformance suite for both backends: each case builds a scalar-free output from leaf
// inputs with ops of @pretext/core. cases.test.ts checks every case's forward and gradients on
// webgpu against cpu, and its gradients on cpu (float64) against central finite differences.
import * as P from '../index.js';
import type { Tensor } from '../tensor.js';

export interface InputSpec {
  shape: number[];
  /** i32 inputs get random integers in [0, max). */
  int?: number;
  /** Values kept away from 0 (log, sqrt, div, pow). */
  positive?: boolean;
  /** Not differentiated (masks, running stats). */
  constant?: boolean;
}

export interface OpCase {
  name: string;
  inputs: InputSpec[];
  f: (...x: Tensor[]) => Tensor;
  /** Finite differences are wrong across kinks: skip gradcheck for this case (forward/backward still compared across backends). */
  nonSmooth?: boolean;
  /** Looser tolerance for the webgpu vs cpu comparison. */
  tol?: number;
  /** An op without a gradient (colour conversion, target encoding): forward only. */
  forwardOnly?: boolean;
}

const u = (name: P.TensorLike extends never ? never : string, f: (x: Tensor) => Tensor, positive = false, nonSmooth = false): OpCase => ({ name, inputs: [{ shape: [3, 7], positive }], f, nonSmooth });

export const CASES: OpCase[] = [
  u('neg', P.neg), u('exp', P.exp), u('log', P.log, true), u('sqrt', P.sqrt, true), u('rsqrt', P.rsqrt, true),
  u('relu', P.relu, false, true), u('gelu', P.gelu), u('silu', P.silu), u('tanh', P.tanh), u('sigmoid', P.sigmoid),
  u('square', P.square), u('reciprocal', P.reciprocal, true), u('leakyRelu', (x) => P.leakyRelu(x, 0.1), false, true),
  u('abs', P.abs, true), u('pow 1.5', (x) => P.pow(x, 1.5), true), u('scale+add', (x) => P.add(P.mul(x, 3), 2)),
  { name: 'add broadcast', inputs: [{ shape: [4, 1, 5] }, { shape: [3, 1] }], f: P.add },
  { name: 'sub broadcast', inputs: [{ shape: [2, 3] }, { shape: [3] }], f: P.sub },
  { name: 'mul broadcast', inputs: [{ shape: [5, 3] }, { shape: [5, 1] }], f: P.mul },
  { name: 'div', inputs: [{ shape: [4, 3] }, { shape: [4, 3], positive: true }], f: P.div },
  { name: 'maximum', inputs: [{ shape: [6, 5] }, { shape: [6, 5] }], f: P.maximum, nonSmooth: true },
  { name: 'sum axis', inputs: [{ shape: [3, 5, 4] }], f: (x) => P.sum(x, 1) },
  { name: 'mean axes keepdims', inputs: [{ shape: [3, 5, 4] }], f: (x) => P.mean(x, [0, 2], true) },
  { name: 'max axis', inputs: [{ shape: [4, 9] }], f: (x) => P.max(x, -1), nonSmooth: true },
  { name: 'sum all', inputs: [{ shape: [7, 3] }], f: (x) => P.reshape(P.sum(x), [1]) },
  { name: 'permute', inputs: [{ shape: [2, 3, 4] }], f: (x) => P.permute(x, [2, 0, 1]) },
  { name: 'transpose', inputs: [{ shape: [5, 3] }], f: (x) => P.transpose(x) },
  { name: 'slice', inputs: [{ shape: [4, 6] }], f: (x) => P.slice(x, 1, 2, 5) },
  { name: 'concat', inputs: [{ shape: [2, 3] }, { shape: [4, 3] }], f: (a, b) => P.concat([a, b], 0) },
  { name: 'gather', inputs: [{ shape: [6, 4] }, { shape: [5], int: 6 }], f: (x, i) => P.gather(x, i) },
  { name: 'gather 2-D indices', inputs: [{ shape: [5, 3] }, { shape: [2, 4], int: 5 }], f: (x, i) => P.gather(x, i) },
  { name: 'broadcastTo', inputs: [{ shape: [3, 1] }], f: (x) => P.broadcastTo(x, [2, 3, 4]) },
  { name: 'matmul', inputs: [{ shape: [7, 5] }, { shape: [5, 3] }], f: (a, b) => P.matmul(a, b) },
  { name: 'matmul transA transB bias', inputs: [{ shape: [5, 7] }, { shape: [3, 5] }, { shape: [3] }], f: (a, b, c) => P.matmul(a, b, { transA: true, transB: true, bias: c }) },
  { name: 'matmul batched broadcast', inputs: [{ shape: [2, 4, 3] }, { shape: [3, 5] }], f: (a, b) => P.matmul(a, b) },
  { name: 'linear 3-D', inputs: [{ shape: [2, 3, 4] }, { shape: [5, 4] }, { shape: [5] }], f: P.linear },
  { name: 'softmax scaled', inputs: [{ shape: [3, 7] }], f: (x) => P.softmax(x, { scale: 0.7 }) },
  { name: 'logSoftmax', inputs: [{ shape: [4, 5] }], f: (x) => P.logSoftmax(x) },
  { name: 'softmax causal', inputs: [{ shape: [2, 5, 5] }], f: (x) => P.softmax(x, { causal: true }) },
  {
    name: 'attention causal',
    inputs: [{ shape: [1, 2, 5, 4] }, { shape: [1, 2, 5, 4] }, { shape: [1, 2, 5, 4] }],
    f: (q, k, v) => P.attention(q, k, v, { causal: true }),
    tol: 1e-4,
  },
  {
    name: 'attention causal offset (queries after a cache)',
    inputs: [{ shape: [1, 2, 3, 4] }, { shape: [1, 2, 7, 4] }, { shape: [1, 2, 7, 4] }],
    f: (q, k, v) => P.attention(q, k, v, { causal: true, causalOffset: 3 }),
    tol: 1e-4,
  },
  {
    name: 'crossEntropy smoothing ignore',
    inputs: [{ shape: [6, 5] }, { shape: [6], int: 5 }],
    f: (x, t) => P.reshape(P.crossEntropy(x, t, { labelSmoothing: 0.1, ignoreIndex: 2 }), [1]),
  },
  { name: 'ntXent', inputs: [{ shape: [6, 4] }], f: (z) => P.ntXent(z, { tau: 0.5 }).loss, tol: 1e-4 },
  { name: 'infonce', inputs: [{ shape: [3, 4] }, { shape: [5, 4] }, { shape: [3], int: 5 }], f: (q, k, p) => P.infonce(q, k, p, { tau: 0.3 }).loss, tol: 1e-4 },
  {
    name: 'conv2d stride pad bias',
    inputs: [{ shape: [2, 3, 7, 6] }, { shape: [4, 3, 3, 3] }, { shape: [4] }],
    f: (x, w, b) => P.conv2d(x, w, b, { stride: 2, padding: 1 }),
    tol: 1e-4,
  },
  { name: 'conv2d groups dilation', inputs: [{ shape: [1, 4, 7, 7] }, { shape: [4, 2, 3, 3] }], f: (x, w) => P.conv2d(x, w, undefined, { groups: 2, dilation: 2 }), tol: 1e-4 },
  { name: 'maxPool2d', inputs: [{ shape: [2, 3, 6, 5] }], f: (x) => P.maxPool2d(x, 2), nonSmooth: true },
  { name: 'avgPool2d', inputs: [{ shape: [2, 3, 6, 5] }], f: (x) => P.avgPool2d(x, 3, 2, 1) },
  { name: 'globalAvgPool2d', inputs: [{ shape: [2, 3, 4, 5] }], f: P.globalAvgPool2d },
  { name: 'upsample2d nearest ×2', inputs: [{ shape: [2, 3, 4, 5] }], f: (x) => P.upsample2d(x, { scale: 2 }) },
  { name: 'upsample2d bilinear to 7×9', inputs: [{ shape: [2, 3, 5, 4] }], f: (x) => P.upsample2d(x, { size: [7, 9], mode: 'bilinear' }) },
  {
    name: 'softClassification weighted, per pixel',
    inputs: [{ shape: [2, 5, 3, 4] }, { shape: [2, 3, 3, 4], int: 5 }, { shape: [2, 3, 3, 4], positive: true, constant: true }, { shape: [2, 3, 4], positive: true, constant: true }],
    f: (x, i, p, w) => P.reshape(P.softClassification(x, { index: i, prob: p }, { weight: w }).loss, [1]),
  },
  { name: 'rgbToLab', inputs: [{ shape: [2, 3, 4, 5], positive: true }], f: P.rgbToLab, forwardOnly: true, tol: 1e-5 },
  { name: 'labToRgb', inputs: [{ shape: [2, 3, 3, 5] }], f: (x) => P.labToRgb(P.mul(x, 30)), forwardOnly: true, tol: 1e-5 },
  { name: 'softAssign index', inputs: [{ shape: [2, 2, 3, 5] }, { shape: [9, 2] }], f: (x, c) => P.softAssign(x, c, { k: 3, sigma: 0.5 }).index, forwardOnly: true },
  {
    name: 'softAssign prob and weight',
    inputs: [{ shape: [2, 2, 3, 5] }, { shape: [9, 2] }, { shape: [9], positive: true }],
    f: (x, c, w) => {
      const r = P.softAssign(x, c, { k: 3, sigma: 0.5, codeWeights: w });
      return P.concat([P.reshape(r.prob, [-1]), P.reshape(r.weight as Tensor, [-1])]);
    },
    forwardOnly: true,
    tol: 1e-5,
  },
  { name: 'layerNorm', inputs: [{ shape: [4, 6] }, { shape: [6] }, { shape: [6] }], f: (x, w, b) => P.layerNorm(x, w, b), tol: 1e-4 },
  {
    name: 'batchNorm train',
    inputs: [{ shape: [4, 3, 2, 2] }, { shape: [3] }, { shape: [3] }, { shape: [3], constant: true }, { shape: [3], constant: true, positive: true }],
    f: (x, w, b, m, v) => P.batchNorm(x, w, b, m, v, { training: true }),
    tol: 1e-4,
  },
  {
    name: 'batchNorm train relu',
    inputs: [{ shape: [4, 3, 2, 2] }, { shape: [3] }, { shape: [3] }, { shape: [3], constant: true }, { shape: [3], constant: true, positive: true }],
    f: (x, w, b, m, v) => P.batchNorm(x, w, b, m, v, { training: true, relu: true }),
    tol: 1e-4,
    nonSmooth: true,
  },
  {
    name: 'batchNormReluPool train max',
    inputs: [{ shape: [3, 2, 5, 4] }, { shape: [2] }, { shape: [2] }, { shape: [2], constant: true }, { shape: [2], constant: true, positive: true }],
    f: (x, w, b, m, v) => P.batchNormReluPool(x, w, b, m, v, 2, { training: true }),
    tol: 1e-4,
    nonSmooth: true,
  },
  {
    name: 'batchNormReluPool train mean',
    inputs: [{ shape: [3, 2, 3, 4] }, { shape: [2] }, { shape: [2] }, { shape: [2], constant: true }, { shape: [2], constant: true, positive: true }],
    f: (x, w, b, m, v) => P.batchNormReluPool(x, w, b, m, v, 'mean', { training: true }),
    tol: 1e-4,
    nonSmooth: true,
  },
  { name: 'dropout', inputs: [{ shape: [5, 8] }], f: (x) => P.dropout(x, 0.3, { training: true, seed: 42 }) },
];
