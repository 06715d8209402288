// The Transformer's rows of the ONNX table: the same computation as ../transformer.ts in
// evaluation mode (dropout is the identity). Attention is composed from MatMul, Softmax and Add
// (ONNX's Attention op arrives only in opset 23); GELU is our kernel's tanh form,
// x·σ(2u) = ½x(1 + tanh u), u = √(2/π)(x + 0.044715x³): Sigmoid and Muls below opset 20,
// Gelu(approximate='tanh') from 20.
import { Embedding, LayerNorm, type Linear } from '../layers.js';
import { Block, SelfAttention, Transformer } from '../transformer.js';
import { type CallOptions, join, row } from './emitter.js';
import { OnnxExportError, type OnnxGraph } from './graph.js';
import { DataType } from './proto.js';

/** What a hidden score adds where a key is hidden: exp(s − 1e30 − max) is 0 in f32, and two such sums stay finite. */
const HIDDEN = -1e30;

/** y = x·Wᵀ + b for x (…, in) → (…, out) of any rank (Gemm takes only 2-D). */
export function emitLinearNd(m: Linear, x: string, g: OnnxGraph, path: string): string {
  const wt = g.node('Transpose', [g.weight(m.weight, path)], join(path, 'weight_t'), { perm: [1, 0] }); // (in, out), folded by the runtime
  const y = g.node('MatMul', [x, wt], join(path, 'matmul'));
  return m.bias ? g.node('Add', [y, g.weight(m.bias, path)], join(path, 'add')) : y;
}

/** mask (N, T) int64 → pad (N, T) bool where it is 0, keep (N, T) f32 1 where it is not (our kernel's test: mask ≠ 0). */
export function tokenMask(mask: string, g: OnnxGraph, path: string): { pad: string; keep: string } {
  const pad = g.node('Equal', [mask, g.int64(join(path, 'pad_id'), [0], [])], join(path, 'is_pad'));
  return { pad, keep: g.node('Cast', [g.node('Not', [pad], join(path, 'is_token'))], join(path, 'keep'), { to: DataType.FLOAT }) };
}

function emitLayerNorm(m: LayerNorm, x: string, g: OnnxGraph, path: string): string {
  // (x − mean) / √(var + ε) · γ + β over the last axis (biased variance)
  return g.node('LayerNormalization', [x, g.weight(m.weight, path), g.weight(m.bias, path)], join(path, 'ln'), { axis: -1, epsilon: { float: m.eps } });
}

function emitGelu(x: string, g: OnnxGraph, path: string): string {
  if (g.opset >= 20) return g.node('Gelu', [x], join(path, 'gelu'), { approximate: 'tanh' });
  const x3 = g.node('Mul', [g.node('Mul', [x, x], join(path, 'x2')), x], join(path, 'x3'));
  const u = g.node('Add', [x, g.node('Mul', [x3, g.float(join(path, 'k'), [0.044715], [])], join(path, 'kx3'))], join(path, 'inner'));
  const s = g.node('Sigmoid', [g.node('Mul', [u, g.float(join(path, 'two_c'), [2 * Math.sqrt(2 / Math.PI)], [])], join(path, '2u'))], join(path, 'sigmoid'));
  return g.node('Mul', [x, s], join(path, 'gelu'));
}

function emitAttention(m: SelfAttention, x: string, g: OnnxGraph, path: string, call: CallOptions): string {
  if (m.causal && !call.bias) throw new OnnxExportError(`${path || 'SelfAttention'}: a causal attention exports inside its Transformer, which builds the causal mask`);
  const hs = m.dim / m.heads;
  const qkv = g.node('Reshape', [emitLinearNd(m.qkv, x, g, join(path, 'qkv')), g.int64(join(path, 'qkv_shape'), [0, 0, 3, m.heads, hs])], join(path, 'qkv5')); // (N, T, 3, nh, hs)
  const heads = g.node('Transpose', [qkv], join(path, 'heads'), { perm: [2, 0, 3, 1, 4] }); // (3, N, nh, T, hs)
  const [q, k, v] = ['q', 'k', 'v'].map((n, i) => g.node('Gather', [heads, g.int64(join(path, `${n}_index`), [i], [])], join(path, n), { axis: 0 })); // (N, nh, T, hs)
  const kt = g.node('Transpose', [k], join(path, 'k_t'), { perm: [0, 1, 3, 2] }); // (N, nh, hs, T)
  let s = g.node('Mul', [g.node('MatMul', [q, kt], join(path, 'qk')), g.float(join(path, 'scale'), [1 / Math.sqrt(hs)], [])], join(path, 'scores')); // (N, nh, T, T)
  if (call.bias) s = g.node('Add', [s, call.bias], join(path, 'masked'));
  let p = g.node('Softmax', [s], join(path, 'softmax'), { axis: -1 });
  if (call.rowKeep) p = g.node('Mul', [p, call.rowKeep], join(path, 'row_keep')); // a fully masked row attends to nothing: 0, as our kernel
  const y = g.node('Transpose', [g.node('MatMul', [p, v], join(path, 'pv'))], join(path, 'y_t'), { perm: [0, 2, 1, 3] }); // (N, T, nh, hs)
  const merged = g.node('Reshape', [y, g.int64(join(path, 'y_shape'), [0, 0, m.dim])], join(path, 'merge')); // (N, T, C)
  return emitLinearNd(m.proj, merged, g, join(path, 'proj'));
}

function emitBlock(m: Block, x: string, g: OnnxGraph, path: string, call: CallOptions): string {
  // h = x + attn(ln1(x));  y = h + out(gelu(fc(ln2(h))))
  const h = g.node('Add', [x, emitAttention(m.attn, emitLayerNorm(m.ln1, x, g, join(path, 'ln1')), g, join(path, 'attn'), call)], join(path, 'res1'));
  const f = emitGelu(emitLinearNd(m.fc, emitLayerNorm(m.ln2, h, g, join(path, 'ln2')), g, join(path, 'fc')), g, path);
  return g.node('Add', [h, emitLinearNd(m.out, f, g, join(path, 'out'))], join(path, 'res2'));
}

/** ids (N, T) int64 [, call.mask (N, T) int64, 0 = padding] → hidden (N, T, C) after the final layer norm; T ≤ maxLen. */
function emitTransformer(m: Transformer, ids: string, g: OnnxGraph, path: string, call: CallOptions): string {
  const maxLen = m.cfg.maxLen;
  const t = g.node('Gather', [g.node('Shape', [ids], join(path, 'ids_shape')), g.int64(join(path, 'one'), [1])], join(path, 'T'), { axis: 0 }); // [T]
  const zero = g.int64(join(path, 'zero'), [0]);
  // positions 0..T−1: rows of the learned table or of the sinusoids   (T, C)
  const sinusoid = new Map(m.namedBuffers()).get('sinusoid');
  if (!m.pos && !sinusoid) throw new OnnxExportError(`${path || 'Transformer'}: neither learned positions nor the sinusoid buffer`);
  const table = m.pos ? g.weight(m.pos.weight, join(path, 'pos')) : g.weight(sinusoid as NonNullable<typeof sinusoid>, path);
  const pe = g.node('Slice', [table, zero, t, zero], join(path, 'positions'));
  let h = g.node('Add', [g.node('Gather', [g.weight(m.tok.weight, join(path, 'tok')), ids], join(path, 'tok'), { axis: 0 }), pe], join(path, 'embed')); // (N, T, C)
  const biases: string[] = [];
  if (m.cfg.causal) {
    // key j hidden from query i when j > i: the (maxLen, maxLen) table's top-left (T, T)
    const causal = new Float32Array(maxLen * maxLen);
    for (let i = 0; i < maxLen; i++) causal.fill(HIDDEN, i * maxLen + i + 1, (i + 1) * maxLen);
    const tt = g.node('Concat', [t, t], join(path, 'TT'), { axis: 0 });
    biases.push(g.node('Slice', [g.float(join(path, 'causal_table'), causal, [maxLen, maxLen]), g.int64(join(path, 'zeros2'), [0, 0]), tt, g.int64(join(path, 'axes01'), [0, 1])], join(path, 'causal')));
  }
  let rowKeep: string | undefined;
  if (call.mask) {
    const { pad, keep } = tokenMask(call.mask, g, path);
    const bias = g.node('Where', [pad, g.float(join(path, 'hidden'), [HIDDEN], []), g.float(join(path, 'shown'), [0], [])], join(path, 'pad_bias'));
    biases.push(g.node('Reshape', [bias, g.int64(join(path, 'key_shape'), [0, 1, 1, -1])], join(path, 'key_bias'))); // (N, 1, 1, T)
    const any = g.node('Min', [g.node('ReduceSum', [keep, g.int64(join(path, 'axis1'), [1])], join(path, 'tokens'), { keepdims: 1 }), g.float(join(path, 'one_f'), [1], [])], join(path, 'any'));
    rowKeep = g.node('Reshape', [any, g.int64(join(path, 'row_shape'), [0, 1, 1, 1])], join(path, 'row_keep')); // (N, 1, 1, 1)
  }
  const bias = biases.length === 2 ? g.node('Add', biases, join(path, 'bias')) : biases[0];
  m.blocks.forEach((b, i) => {
    h = emitBlock(b, h, g, join(path, `blocks.${i}`), { bias, rowKeep });
  });
  return emitLayerNorm(m.lnf, h, g, join(path, 'lnf'));
}

export const TRANSFORMER_ROWS = [
  row(LayerNorm, (m, x, g, path) => emitLayerNorm(m, x, g, path)),
  // ids (…) int64 → (…, C)
  row(Embedding, (m, ids, g, path) => g.node('Gather', [g.weight(m.weight, path), ids], join(path, 'gather'), { axis: 0 })),
  row(SelfAttention, emitAttention),
  row(Block, emitBlock),
  row(Transformer, emitTransformer),
];
