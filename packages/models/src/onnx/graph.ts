// An ONNX graph under construction: emitters (modules.ts) add nodes and take their weights by
// tensor; every weight becomes one initializer named as PyTorch names it (torchName), so the
// ONNX file and the safetensors export agree on names.
import type { Tensor } from '@pretext/core';
import { type AttrValue, DataType, type NodeSpec, type TensorSpec } from './proto.js';

/** A module or option the exporter cannot express: the message names the module, op or value. */
export class OnnxExportError extends Error {
  override name = 'OnnxExportError';
}

/** Our parameter name → PyTorch's: the last part in snake_case (blocks.0.bn.runningMean → blocks.0.bn.running_mean). */
export function torchName(name: string): string {
  const at = name.lastIndexOf('.');
  return name.slice(0, at + 1) + name.slice(at + 1).replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

export interface HostWeight {
  /** PyTorch-style name. */
  name: string;
  shape: readonly number[];
  data: Float32Array;
}

export class OnnxGraph {
  readonly nodes: NodeSpec[] = [];
  readonly initializers: TensorSpec[] = [];
  private readonly used = new Set<string>();
  private readonly added = new Set<Tensor>();

  /**
   * `weights`: every tensor of the exported module, read back, by tensor; `shapes`: the known
   * shapes of values (the graph input's), for emitters whose attributes depend on them; `opset`:
   * the one the model declares (an emitter may use an op only from the opset that has it).
   */
  constructor(
    private readonly weights: ReadonlyMap<Tensor, HostWeight>,
    private readonly shapes: ReadonlyMap<string, readonly number[]>,
    readonly opset: number,
  ) {}

  /** The static shape of value `x` (known for the graph's input). */
  shapeOf(x: string, owner: string): readonly number[] {
    const s = this.shapes.get(x);
    if (!s) throw new OnnxExportError(`${owner || 'the exported module'}: needs the static shape of its input '${x}'; export it as the root module`);
    return s;
  }

  /** The initializer holding tensor t (added on first use). */
  weight(t: Tensor, owner: string): string {
    const w = this.weights.get(t);
    if (!w) throw new OnnxExportError(`${owner}: a tensor it uses is not in the exported module's state dict`);
    if (!this.added.has(t)) {
      this.added.add(t);
      this.used.add(w.name);
      if (t.dtype !== 'f32') throw new OnnxExportError(`${w.name}: only f32 weights export, got ${t.dtype}`);
      this.initializers.push({ name: w.name, dims: w.shape, dataType: DataType.FLOAT, raw: bytesOf(w.data) });
    }
    return w.name;
  }

  /** An int64 constant initializer (Reshape's shape, Gather's index); `dims` [] makes a scalar. */
  int64(name: string, values: readonly number[], dims: readonly number[] = [values.length]): string {
    const raw = new Uint8Array(8 * values.length);
    const view = new DataView(raw.buffer);
    values.forEach((v, i) => view.setBigInt64(8 * i, BigInt(v), true));
    return this.constant(name, dims, DataType.INT64, raw);
  }

  /** A float32 constant initializer (scales, masks); `dims` [] makes a scalar. */
  float(name: string, values: ArrayLike<number>, dims: readonly number[] = [values.length]): string {
    return this.constant(name, dims, DataType.FLOAT, bytesOf(Float32Array.from(values)));
  }

  private constant(name: string, dims: readonly number[], dataType: TensorSpec['dataType'], raw: Uint8Array): string {
    const n = this.fresh(name);
    this.initializers.push({ name: n, dims, dataType, raw });
    return n;
  }

  /** Adds `op(inputs)` with attributes; returns its output's name (unique, from `name`). */
  node(op: string, inputs: readonly string[], name: string, attrs: Readonly<Record<string, AttrValue>> = {}): string {
    const out = this.fresh(name);
    this.nodes.push({ op, inputs, outputs: [out], name: out, attrs });
    return out;
  }

  private fresh(base: string): string {
    let n = base;
    for (let i = 1; this.used.has(n); i++) n = `${base}_${i}`;
    this.used.add(n);
    return n;
  }
}

function bytesOf(a: Float32Array): Uint8Array {
  return new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
}
