// Module → ONNX nodes: one emitter per module class, each the same computation as the module's
// forward in evaluation mode (batch norm on running statistics), shapes in the comments.
// A new architecture adds its rows here (the Transformer's are in transformer.ts).
import type { Module } from '../module.js';
import { BatchNorm, Conv2d, Linear } from '../layers.js';
import { ConvBlock, ConvNet, gridWindow, MLP } from '../nets.js';
import { type CallOptions, join, type OnnxEmitter, row } from './emitter.js';
import { OnnxExportError, type OnnxGraph } from './graph.js';
import { TRANSFORMER_ROWS } from './transformer.js';

const pair = (v: number | [number, number] | undefined, d: number): [number, number] => (v === undefined ? [d, d] : typeof v === 'number' ? [v, v] : v);

export const ONNX_MODULES: readonly OnnxEmitter[] = [
  // y = conv(x, W) + b, W (Cout, Cin/g, k, k); pads are [top, left, bottom, right]
  row(Conv2d, (m, x, g, path) => {
    const [sh, sw] = pair(m.opts.stride, 1);
    const [ph, pw] = pair(m.opts.padding, 0);
    const [dh, dw] = pair(m.opts.dilation, 1);
    const inputs = [x, g.weight(m.weight, path), ...(m.bias ? [g.weight(m.bias, path)] : [])];
    return g.node('Conv', inputs, join(path, 'conv'), { kernel_shape: [m.kernel, m.kernel], strides: [sh, sw], pads: [ph, pw, ph, pw], dilations: [dh, dw], group: m.opts.groups ?? 1 });
  }),
  // y = (x − running_mean) / √(running_var + ε) · γ + β  over channel axis 1, then ReLU if fused
  row(BatchNorm, (m, x, g, path, call) => {
    const y = g.node('BatchNormalization', [x, g.weight(m.weight, path), g.weight(m.bias, path), g.weight(bufferOf(m, 'runningMean', path), path), g.weight(bufferOf(m, 'runningVar', path), path)], join(path, 'bn'), {
      epsilon: { float: m.opts.eps ?? 1e-5 },
    });
    return call.relu ? g.node('Relu', [y], join(path, 'relu')) : y;
  }),
  // y = x·Wᵀ + b   (N, in) → (N, out)
  row(Linear, (m, x, g, path) => g.node('Gemm', [x, g.weight(m.weight, path), ...(m.bias ? [g.weight(m.bias, path)] : [])], join(path, 'gemm'), { transB: 1 })),
  // Linear → [BN] → ReLU → … → Linear
  row(MLP, (m, x, g, path) => {
    let h = x;
    m.layers.forEach((l, i) => {
      h = emitModule(l, h, g, join(path, `layers.${i}`));
      if (i < m.layers.length - 1) h = m.norms[i] ? emitModule(m.norms[i], h, g, join(path, `norms.${i}`), { relu: true }) : g.node('Relu', [h], join(path, `relu${i}`));
    });
    return h;
  }),
  // conv3×3 → BN → ReLU [→ max pool k×k stride k (floor) | global average pool (N, C)]
  row(ConvBlock, (m, x, g, path, call) => {
    const h = emitModule(m.bn, emitModule(m.conv, x, g, join(path, 'conv')), g, join(path, 'bn'), { relu: true });
    if (call.pool === 'mean') return g.node('Flatten', [g.node('GlobalAveragePool', [h], join(path, 'gap'))], join(path, 'flatten'), { axis: 1 });
    if (call.pool) return g.node('MaxPool', [h], join(path, 'maxpool'), { kernel_shape: [call.pool, call.pool], strides: [call.pool, call.pool] });
    return h;
  }),
  // [avg pool s×s] → block (pool 2) → block (pool 2) → block → grid × grid average pool → (N, 4w·g²)
  row(ConvNet, (m, x, g, path) => {
    const [, , H, W] = g.shapeOf(x, path); // (N, C, H, W) → the last map is (N, 4w, ⌊⌊H/s⌋/4⌋, ⌊⌊W/s⌋/4⌋)
    let h = m.downsample > 1 ? g.node('AveragePool', [x], join(path, 'downsample'), { kernel_shape: [m.downsample, m.downsample], strides: [m.downsample, m.downsample] }) : x;
    h = emitModule(m.blocks[0], h, g, join(path, 'blocks.0'), { pool: 2 });
    h = emitModule(m.blocks[1], h, g, join(path, 'blocks.1'), { pool: 2 });
    if (m.grid === 1) return emitModule(m.blocks[2], h, g, join(path, 'blocks.2'), { pool: 'mean' });
    h = emitModule(m.blocks[2], h, g, join(path, 'blocks.2'));
    const side = (n: number) => Math.floor(Math.floor(Math.floor(n / m.downsample) / 2) / 2);
    const [kh, sh] = gridWindow(side(H), m.grid);
    const [kw, sw] = gridWindow(side(W), m.grid);
    return g.node('Flatten', [g.node('AveragePool', [h], join(path, 'grid'), { kernel_shape: [kh, kw], strides: [sh, sw] })], join(path, 'flatten'), { axis: 1 });
  }),
  ...TRANSFORMER_ROWS,
];

function bufferOf(m: BatchNorm, name: 'runningMean' | 'runningVar', path: string) {
  const t = new Map(m.namedBuffers()).get(name);
  if (!t) throw new OnnxExportError(`${path}: batch norm has no ${name} buffer`);
  return t;
}

/** Emits module m through its row of ONNX_MODULES (its exact class: a subclass may compute something else). */
export function emitModule(m: Module, x: string, g: OnnxGraph, path: string, call: CallOptions = {}): string {
  const e = ONNX_MODULES.find((r) => r.module === m.constructor);
  if (!e) {
    const known = ONNX_MODULES.map((r) => r.module.name).join(', ');
    throw new OnnxExportError(`ONNX export: no emitter for module ${m.constructor.name}${path ? ` (${path})` : ''}; exportable: ${known}`);
  }
  return e.emit(m, x, g, path, call);
}
