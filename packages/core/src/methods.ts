// The method surface of Tensor (x.add(y), x.matmul(w), loss.backward(), …), attached to the
// prototype so ops stay plain functions in ops/ and Tensor stays small.
import { backward } from './autograd.js';
import * as E from './ops/elementwise.js';
import * as N from './ops/nn.js';
import * as R from './ops/reduce.js';
import * as S from './ops/shape.js';
import type { Shape } from './shape.js';
import { Tensor } from './tensor.js';

type T = Tensor;
type TL = E.TensorLike;

declare module './tensor.js' {
  interface Tensor {
    add(b: TL): T; sub(b: TL): T; mul(b: TL): T; div(b: TL): T; neg(): T;
    exp(): T; log(): T; sqrt(): T; rsqrt(): T; abs(): T; square(): T; pow(p: number): T;
    relu(): T; gelu(): T; silu(): T; tanh(): T; sigmoid(): T;
    matmul(b: T, opts?: { transA?: boolean; transB?: boolean; bias?: T }): T;
    sum(axis?: number | readonly number[], keepdims?: boolean): T;
    mean(axis?: number | readonly number[], keepdims?: boolean): T;
    max(axis?: number | readonly number[], keepdims?: boolean): T;
    argmax(axis?: number): T;
    reshape(shape: Shape): T; view(shape: Shape): T; flatten(from?: number): T;
    permute(dims: readonly number[]): T; transpose(a?: number, b?: number): T;
    unsqueeze(axis: number): T; squeeze(axis: number): T;
    softmax(opts?: N.SoftmaxOptions): T; logSoftmax(opts?: N.SoftmaxOptions): T;
    /** Accumulates gradients into the leaves' .grad (see autograd.backward). */
    backward(grad?: T, opts?: { retainGraph?: boolean }): void;
  }
}

const P = Tensor.prototype;
P.add = function (b) { return E.add(this, b); };
P.sub = function (b) { return E.sub(this, b); };
P.mul = function (b) { return E.mul(this, b); };
P.div = function (b) { return E.div(this, b); };
P.neg = function () { return E.neg(this); };
P.exp = function () { return E.exp(this); };
P.log = function () { return E.log(this); };
P.sqrt = function () { return E.sqrt(this); };
P.rsqrt = function () { return E.rsqrt(this); };
P.abs = function () { return E.abs(this); };
P.square = function () { return E.square(this); };
P.pow = function (p) { return E.pow(this, p); };
P.relu = function () { return E.relu(this); };
P.gelu = function () { return E.gelu(this); };
P.silu = function () { return E.silu(this); };
P.tanh = function () { return E.tanh(this); };
P.sigmoid = function () { return E.sigmoid(this); };
P.matmul = function (b, opts) { return N.matmul(this, b, opts); };
P.sum = function (axis, keepdims) { return R.sum(this, axis, keepdims); };
P.mean = function (axis, keepdims) { return R.mean(this, axis, keepdims); };
P.max = function (axis, keepdims) { return R.max(this, axis, keepdims); };
P.argmax = function (axis) { return R.argmax(this, axis); };
P.reshape = function (shape) { return S.reshape(this, shape); };
P.view = function (shape) { return S.reshape(this, shape); };
P.flatten = function (from) { return S.flatten(this, from); };
P.permute = function (dims) { return S.permute(this, dims); };
P.transpose = function (a, b) { return S.transpose(this, a, b); };
P.unsqueeze = function (axis) { return S.unsqueeze(this, axis); };
P.squeeze = function (axis) { return S.squeeze(this, axis); };
P.softmax = function (opts) { return N.softmax(this, opts); };
P.logSoftmax = function (opts) { return N.logSoftmax(this, opts); };
P.backward = function (grad, opts) { backward(this, grad, opts); };
