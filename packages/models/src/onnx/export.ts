// Exporting a trained module: ONNX (for ONNX Runtime and everything that reads it) and a
// PyTorch-style state dict (for safetensors and `load_pretext.py`). The module's forward in
// evaluation mode is what both describe.
import type { Tensor } from '@pretext/core';
import { Module } from '../module.js';
import { type HostWeight, OnnxExportError, OnnxGraph, torchName } from './graph.js';
import { emitModule } from './modules.js';
import { DataType, encodeModel } from './proto.js';

/** The opsets we write, and the IR version each needs (onnx/docs/Versioning.md). */
export const ONNX_IR_VERSION: Readonly<Record<number, number>> = { 17: 8, 18: 8, 19: 9, 20: 9, 21: 10 };
export const ONNX_OPSETS = Object.keys(ONNX_IR_VERSION).map(Number);

export interface OnnxExportOptions {
  /** One input's shape without the batch axis, e.g. (C, H, W); the batch axis is symbolic 'N'. */
  input: readonly number[];
  /** Default 17. */
  opset?: number;
  inputName?: string;
  outputName?: string;
  /** Free-form metadata_props (task, dataset, commit). */
  metadata?: Readonly<Record<string, string>>;
  producerVersion?: string;
}

/** What a state dict is read from: one module, or modules by name prefix ('' for none: `{ '': net, head }`). */
export type WeightSource = Module | Readonly<Record<string, Module>>;

/** Every parameter and buffer, read back, with its PyTorch-style name. */
export async function hostWeights(source: WeightSource): Promise<Map<Tensor, HostWeight>> {
  const parts: [string, Module][] = source instanceof Module ? [['', source]] : Object.entries(source);
  const out = new Map<Tensor, HostWeight>();
  for (const [prefix, module] of parts) {
    for (const [local, t] of module.stateDict()) {
      const name = prefix ? `${prefix}.${local}` : local;
      if (t.dtype !== 'f32') throw new OnnxExportError(`${name}: only f32 tensors export, got ${t.dtype}`);
      out.set(t, { name: torchName(name), shape: [...t.shape], data: (await t.data()) as Float32Array });
    }
  }
  return out;
}

/** The state dict as PyTorch names it (running_mean, running_var), for safetensors. */
export async function torchStateDict(source: WeightSource): Promise<Map<string, { shape: number[]; data: Float32Array }>> {
  return new Map([...(await hostWeights(source)).values()].map((w) => [w.name, { shape: [...w.shape], data: w.data }]));
}

/** The IR version a model of `opset` declares; an opset we do not write is an error listing those we do. */
export function irVersionOf(opset: number): number {
  const ir = ONNX_IR_VERSION[opset];
  if (!ir) throw new OnnxExportError(`ONNX opset ${opset} is not one we write; valid: ${ONNX_OPSETS.join(', ')}`);
  return ir;
}

/** The module's forward (evaluation mode) as an ONNX model: input (N, …input) f32 → output (N, featureDim). */
export async function exportOnnx(module: Module, opts: OnnxExportOptions): Promise<Uint8Array> {
  const opset = opts.opset ?? 17;
  const ir = irVersionOf(opset);
  if (!opts.input.length || !opts.input.every((d) => Number.isInteger(d) && d > 0)) throw new OnnxExportError(`input shape must be positive integers (C, H, W), got [${opts.input.join(', ')}]`);
  const inputName = opts.inputName ?? 'images';
  const outputName = opts.outputName ?? 'features';
  const g = new OnnxGraph(await hostWeights(module), new Map([[inputName, [1, ...opts.input]]]), opset);
  const y = emitModule(module, inputName, g, '');
  g.node('Identity', [y], outputName);
  const dim = (module as { featureDim?: unknown }).featureDim;
  return encodeModel({
    irVersion: ir,
    opset,
    producer: 'pretext',
    producerVersion: opts.producerVersion ?? '0.1.0',
    graphName: module.constructor.name,
    nodes: g.nodes,
    initializers: g.initializers,
    inputs: [{ name: inputName, dataType: DataType.FLOAT, shape: ['N', ...opts.input] }],
    outputs: [{ name: outputName, dataType: DataType.FLOAT, shape: typeof dim === 'number' ? ['N', dim] : undefined }],
    metadata: opts.metadata,
  });
}
