// The gradient table: one rule per op, keyed by op name. Typed as { [P in OpName]: GradRule<P> },
// so an op without a gradient rule fails `tsc`. Rules run with recording off and build their
// results from backend kernels or from other ops.
import type { GradRule, OpName } from './autograd.js';
import type { Storage } from './backend.js';
import { add, binaryOp, compare, div, mul, neg, sigmoid, square, unaryOp, where } from './ops/elementwise.js';
import { full } from './ops/creation.js';
import { broadcastTo, concat, permute, reshape, slice, sumToShape } from './ops/shape.js';
import { Tensor } from './tensor.js';

const wrap = (like: Tensor, s: Storage): Tensor => new Tensor(s, like.backend);
const input = (ctx: { inputs: readonly (Tensor | null)[] }, i: number): Tensor => ctx.inputs[i] as Tensor;
/** Sums a broadcast gradient back to the shape of x. */
const unbroadcast = (g: Tensor, x: Tensor): Tensor => (g.shape.join() === x.shape.join() ? g : sumToShape(g, x.shape));

export const GRADS: { [P in OpName]: GradRule<P> } = {
  unary: (dy, { attrs, inputs, out }) => {
    const x = inputs[0] as Tensor;
    const a = attrs.alpha ?? 1;
    switch (attrs.op) {
      // d(−x) = −dx
      case 'neg': return [neg(dy)];
      // d(eˣ) = eˣ·dx
      case 'exp': return [mul(dy, out)];
      // d(ln x) = dx/x
      case 'log': return [div(dy, x)];
      // d(√x) = dx/(2√x)
      case 'sqrt': return [div(mul(dy, 0.5), out)];
      // d(x^-½) = −½·x^-3/2·dx = −½·y³·dx
      case 'rsqrt': return [mul(mul(dy, unaryOp('pow', out, 3)), -0.5)];
      // d|x| = sign(x)·dx
      case 'abs': return [mul(dy, unaryOp('sign', x))];
      // d relu(x) = [x > 0]·dx  (one kernel)
      case 'relu': return [binaryOp('relu_grad', dy, x)];
      // d leaky(x) = (x > 0 ? 1 : α)·dx
      case 'leaky_relu': { const s = unaryOp('step', x); return [mul(dy, add(mul(s, 1 - a), a))]; }
      // gelu(x) = x·σ(2u), u = c(x + 0.044715x³):  d = σ(2u) + x·σ(2u)(1−σ(2u))·2c(1 + 3·0.044715x²)
      // (one kernel: binary op gelu_grad)
      case 'gelu': return [binaryOp('gelu_grad', dy, x)];
      // d silu = σ(x)·(1 + x·(1 − σ(x)))
      case 'silu': { const s = sigmoid(x); return [mul(dy, mul(s, add(mul(x, add(neg(s), 1)), 1)))]; }
      // d tanh = 1 − y²
      case 'tanh': return [mul(dy, add(neg(square(out)), 1))];
      // d σ = y(1 − y)
      case 'sigmoid': return [mul(dy, mul(out, add(neg(out), 1)))];
      // d x² = 2x
      case 'square': return [mul(dy, mul(x, 2))];
      // d(1/x) = −x⁻²·dx
      case 'reciprocal': return [neg(mul(dy, square(out)))];
      // d sin = cos, d cos = −sin
      case 'sin': return [mul(dy, unaryOp('cos', x))];
      case 'cos': return [neg(mul(dy, unaryOp('sin', x)))];
      // piecewise constant
      case 'sign': case 'step': return [null];
      // d(αx) = α·dx;  d(x + α) = dx;  identity
      case 'scale': return [mul(dy, a)];
      case 'add_scalar': case 'copy': return [mul(dy, 1)];
      // d x^α = α·x^(α−1)
      case 'pow': return [mul(dy, mul(unaryOp('pow', x, a - 1), a))];
    }
  },

  binary: (dy, ctx) => {
    const a = input(ctx, 0);
    const b = input(ctx, 1);
    switch (ctx.attrs.op) {
      // d(a ± b) = da ± db
      case 'add': return [unbroadcast(dy, a), unbroadcast(dy, b)];
      case 'sub': return [unbroadcast(dy, a), unbroadcast(neg(dy), b)];
      // d(ab) = b·da + a·db
      case 'mul': return [unbroadcast(mul(dy, b), a), unbroadcast(mul(dy, a), b)];
      // d(a/b) = da/b − a/b²·db
      case 'div': return [unbroadcast(div(dy, b), a), unbroadcast(neg(div(mul(dy, ctx.out), b)), b)];
      // max/min: the gradient goes to the chosen side (ties to a)
      case 'max': case 'min': {
        const pickA = compare(ctx.attrs.op === 'max' ? 'ge' : 'le', a, b);
        return [unbroadcast(mul(dy, pickA), a), unbroadcast(mul(dy, add(neg(pickA), 1)), b)];
      }
      // d(a^b) = b·a^(b−1)·da + a^b·ln a·db
      case 'pow': {
        const da = mul(dy, mul(b, div(ctx.out, a)));
        const db = mul(dy, mul(ctx.out, unaryOp('log', a)));
        return [unbroadcast(da, a), unbroadcast(db, b)];
      }
      // backward-only ops: gradient rules run with recording off, so these never reach a tape
      case 'gelu_grad': case 'relu_grad': throw new Error(`${ctx.attrs.op}: no second derivative (a backward-only op was recorded)`);
    }
  },

  // d sum = broadcast(dy); d mean = broadcast(dy)/n; d max = dy where x == max
  reduce: (dy, { attrs, inputs, out }) => {
    const x = inputs[0] as Tensor;
    const n = x.shape[attrs.axis];
    if (attrs.op === 'sum') return [broadcastTo(dy, x.shape)];
    if (attrs.op === 'mean') return [broadcastTo(mul(dy, 1 / n), x.shape)];
    const hit = compare('eq', x, out);
    return [mul(hit, div(dy, sumToShape(hit, out.shape)))];
  },
  sumToShape: (dy, { attrs }) => [broadcastTo(dy, attrs.shape)],
  broadcastTo: (dy, { inputs }) => [sumToShape(dy, (inputs[0] as Tensor).shape)],
  reshape: (dy, { attrs }) => [reshape(dy, attrs.shape)],
  // the inverse permutation
  permute: (dy, { attrs }) => {
    const inv: number[] = [];
    attrs.dims.forEach((d, i) => { inv[d] = i; });
    return [permute(dy, inv)];
  },
  // pad the slice's gradient with zeros back to the input's shape
  slice: (dy, { attrs, inputs }) => {
    const x = inputs[0] as Tensor;
    const parts: Tensor[] = [];
    const axis = x.shape.findIndex((d, i) => attrs.starts[i] !== 0 || attrs.stops[i] !== d);
    const lo = attrs.starts[axis];
    const hi = attrs.stops[axis];
    const zerosOf = (len: number) => full(x.shape.map((d, i) => (i === axis ? len : d)), 0);
    if (lo > 0) parts.push(zerosOf(lo));
    parts.push(dy);
    if (hi < x.shape[axis]) parts.push(zerosOf(x.shape[axis] - hi));
    return [parts.length === 1 ? mul(dy, 1) : concat(parts, axis)];
  },
  concat: (dy, { attrs, inputs }) => {
    let at = 0;
    return inputs.map((t) => {
      const len = (t as Tensor).shape[attrs.axis];
      const g = slice(dy, attrs.axis, at, at + len);
      at += len;
      return g;
    });
  },
  // d x[idx] = scatter-add of dy rows into x's rows
  gather: (dy, { inputs, saved }) => {
    const x = inputs[0] as Tensor;
    // flatten the index dims of dy and idx alike: (…idx, …row) → (n, …row)
    const rows = reshape(dy, [-1, ...x.shape.slice(1)]);
    const idx = x.backend.view(saved.idx, [rows.shape[0]]);
    const dx = x.backend.scatterAddRows(rows.storage, idx, x.shape[0]);
    x.backend.release(idx);
    return [wrap(x, dx), null];
  },
  // d where(c, a, b) = (c·dy, (1 − c)·dy)
  where: (dy, { inputs }) => {
    const [c, a, b] = inputs as Tensor[];
    return [null, unbroadcast(where(c, dy, mul(dy, 0)), a), unbroadcast(where(c, mul(dy, 0), dy), b)];
  },
  // C = op(A)·op(B) + bias:  dA = dC·op(B)ᵀ (or its transpose), dB = op(A)ᵀ·dC, dbias = Σ_rows dC
  matmul: (dy, { attrs, inputs }) => {
    const a = input({ inputs }, 0);
    const b = input({ inputs }, 1);
    const be = a.backend;
    // only the products some input needs
    const da = a.requiresGrad ? (attrs.transA ? be.matmul(b.storage, dy.storage, attrs.transB, true) : be.matmul(dy.storage, b.storage, false, !attrs.transB)) : null;
    const db = b.requiresGrad ? (attrs.transB ? be.matmul(dy.storage, a.storage, true, attrs.transA) : be.matmul(a.storage, dy.storage, !attrs.transA, false)) : null;
    const grads: (Tensor | null)[] = [da ? unbroadcast(wrap(a, da), a) : null, db ? unbroadcast(wrap(b, db), b) : null];
    if (attrs.hasBias) {
      const bias = input({ inputs }, 2);
      grads.push(sumToShape(dy, bias.shape));
    }
    return grads;
  },
  softmax: (dy, { attrs, out }) => [wrap(out, out.backend.softmaxBackward(out.storage, dy.storage, attrs.scale, attrs.log))],
  attention: (dy, { attrs, inputs, out, saved }) => {
    const [q, k, v] = inputs as Tensor[];
    const m = { mask: saved.mask, maskKind: attrs.maskKind, causal: attrs.causal, causalOffset: attrs.causalOffset };
    const g = q.backend.attentionBackward(q.storage, k.storage, v.storage, out.storage, dy.storage, saved, attrs.scale, m);
    return [wrap(q, g.dq), wrap(q, g.dk), wrap(q, g.dv)];
  },
  crossEntropy: (dy, { attrs, inputs, saved }) => {
    const logits = inputs[0] as Tensor;
    return [wrap(logits, logits.backend.crossEntropyBackward(logits.storage, saved.targets, dy.storage, saved, attrs.ignoreIndex, attrs.smoothing)), null];
  },
  // d(w·(Σq·lse − Σ_k q_k·x_{idx_k}))/dx = w·(Σq·softmax(x) − q); targets and weights are constants
  softCrossEntropy: (dy, { inputs, saved }) => {
    const logits = inputs[0] as Tensor;
    return [wrap(logits, logits.backend.softCrossEntropyBackward(logits.storage, saved.index, saved.prob, saved.weight ?? null, dy.storage, saved))];
  },
  // the kernel computed dL/dq, dL/dk for dL = 1 in the forward pass: scale them by the upstream dy
  infonce: (dy, { inputs, saved }) => {
    const q = inputs[0] as Tensor;
    const scaled = (g: Storage) => {
      const t = wrap(q, q.backend.view(g, g.shape)); // its own reference: the node still owns `saved`
      const out = mul(t, dy);
      t.dispose();
      return out;
    };
    return [saved.dq ? scaled(saved.dq) : null, saved.dk ? scaled(saved.dk) : null];
  },
  conv2d: (dy, { attrs, inputs }) => {
    const [x, w] = inputs as Tensor[];
    // the network's input (images) needs no dx: skip that kernel
    const g = x.backend.conv2dBackward(x.storage, w.storage, dy.storage, attrs, attrs.hasBias, x.requiresGrad);
    const out: (Tensor | null)[] = [g.dx ? wrap(x, g.dx) : null, wrap(x, g.dw)];
    if (attrs.hasBias && g.db) out.push(wrap(x, g.db));
    return out;
  },
  maxPool2d: (dy, { attrs, inputs, saved }) => {
    const x = inputs[0] as Tensor;
    return [wrap(x, x.backend.maxPool2dBackward(dy.storage, x.shape, saved, attrs))];
  },
  avgPool2d: (dy, { attrs, inputs }) => {
    const x = inputs[0] as Tensor;
    return [wrap(x, x.backend.avgPool2dBackward(dy.storage, x.shape, attrs))];
  },
  // y = U·x for a fixed interpolation matrix U: dx = Uᵀ·dy (each input gathers the outputs that read it)
  upsample2d: (dy, { attrs, inputs }) => {
    const x = inputs[0] as Tensor;
    return [wrap(x, x.backend.upsample2dBackward(dy.storage, x.shape, attrs.mode))];
  },
  layerNorm: (dy, { inputs, saved }) => {
    const [x, w] = inputs as Tensor[];
    const g = x.backend.layerNormBackward(x.storage, w.storage, dy.storage, saved);
    return [wrap(x, g.dx), wrap(x, g.dw), wrap(x, g.db)];
  },
  batchNorm: (dy, { inputs, saved, attrs }) => {
    const [x, w, b] = inputs as Tensor[];
    const g = x.backend.batchNormBackward(x.storage, w.storage, dy.storage, saved, attrs.relu ? b.storage : null);
    return [wrap(x, g.dx), wrap(x, g.dw), wrap(x, g.db)];
  },
  batchNormReluPool: (dy, { inputs, saved, attrs }) => {
    const [x, w, b] = inputs as Tensor[];
    const g = x.backend.batchNormReluPoolBackward(x.storage, w.storage, b.storage, dy.storage, saved, attrs.pool);
    return [wrap(x, g.dx), wrap(x, g.dw), wrap(x, g.db)];
  },
  // the same mask, regenerated from (seed, stream): dx = dy·mask/(1 − p)
  dropout: (dy, { attrs }) => [wrap(dy, dy.backend.dropout(dy.storage, attrs.p, attrs.seed, attrs.stream))],
};
