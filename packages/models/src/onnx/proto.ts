// The part of ONNX's protobuf schema (onnx/onnx.proto, IR version 8–10) an exported network
// needs, written directly: a model is a few nested messages, so a 100-line encoder replaces a
// protobuf runtime and a generated schema. Field numbers are onnx.proto's.

/** Protobuf wire format: varints, and length-delimited fields (strings, bytes, sub-messages). */
class Writer {
  private chunks: Uint8Array[] = [];
  private size = 0;

  private push(b: Uint8Array): void {
    this.chunks.push(b);
    this.size += b.length;
  }

  /** Unsigned varint of a non-negative safe integer; negative int64s as two's complement (10 bytes). */
  private varint(v: number | bigint): void {
    let x = BigInt.asUintN(64, BigInt(v));
    const out: number[] = [];
    while (x >= 0x80n) {
      out.push(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    out.push(Number(x));
    this.push(Uint8Array.from(out));
  }

  private tag(field: number, wire: 0 | 2 | 5): void {
    this.varint((field << 3) | wire);
  }

  int(field: number, v: number | bigint): this {
    this.tag(field, 0);
    this.varint(v);
    return this;
  }

  float(field: number, v: number): this {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.push(b);
    return this;
  }

  bytes(field: number, b: Uint8Array): this {
    this.tag(field, 2);
    this.varint(b.length);
    this.push(b);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  message(field: number, w: Writer): this {
    return this.bytes(field, w.finish());
  }

  /** A packed repeated varint field (ints, dims). */
  packedInts(field: number, vs: readonly number[]): this {
    const inner = new Writer();
    for (const v of vs) inner.varint(v);
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

/** TensorProto.DataType. */
export const DataType = { FLOAT: 1, INT32: 6, INT64: 7 } as const;
/** AttributeProto.AttributeType. */
const AttrType = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;

export type AttrValue = number | string | readonly number[] | { float: number };

export interface NodeSpec {
  op: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name: string;
  attrs?: Readonly<Record<string, AttrValue>>;
}

export interface TensorSpec {
  name: string;
  dims: readonly number[];
  dataType: (typeof DataType)[keyof typeof DataType];
  /** Little-endian element bytes (raw_data). */
  raw: Uint8Array;
}

/** A graph input or output: element type and shape, a string for a symbolic dimension ('N'). */
export interface ValueSpec {
  name: string;
  dataType: (typeof DataType)[keyof typeof DataType];
  /** Absent: rank and sizes unknown. */
  shape?: readonly (number | string)[];
}

export interface ModelSpec {
  irVersion: number;
  opset: number;
  producer: string;
  producerVersion: string;
  graphName: string;
  doc?: string;
  nodes: readonly NodeSpec[];
  initializers: readonly TensorSpec[];
  inputs: readonly ValueSpec[];
  outputs: readonly ValueSpec[];
  metadata?: Readonly<Record<string, string>>;
}

// AttributeProto: name 1, f 2, i 3, s 4, floats 7, ints 8, type 20. An integer attribute is an
// INT, a list an INTS, `{ float }` a FLOAT (epsilon), a string a STRING.
function attribute(name: string, v: AttrValue): Writer {
  const w = new Writer().string(1, name);
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`ONNX attribute ${name}: ${v} is not an integer; pass { float: ${v} } for a FLOAT`);
    return w.int(3, v).int(20, AttrType.INT);
  }
  if (typeof v === 'string') return w.string(4, v).int(20, AttrType.STRING);
  if ('float' in v) return w.float(2, v.float).int(20, AttrType.FLOAT);
  return w.packedInts(8, v).int(20, AttrType.INTS);
}

// NodeProto: input 1, output 2, name 3, op_type 4, attribute 5.
function node(n: NodeSpec): Writer {
  const w = new Writer();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name).string(4, n.op);
  for (const [k, v] of Object.entries(n.attrs ?? {})) w.message(5, attribute(k, v));
  return w;
}

// TensorProto: dims 1, data_type 2, name 8, raw_data 9.
function tensor(t: TensorSpec): Writer {
  return new Writer().packedInts(1, t.dims).int(2, t.dataType).string(8, t.name).bytes(9, t.raw);
}

// ValueInfoProto { name 1, type 2 }; TypeProto { tensor_type 1 }; TypeProto.Tensor { elem_type 1,
// shape 2 }; TensorShapeProto { dim 1 }; Dimension { dim_value 1 | dim_param 2 }.
function valueInfo(v: ValueSpec): Writer {
  const tensorType = new Writer().int(1, v.dataType);
  if (v.shape) {
    const shape = new Writer();
    for (const d of v.shape) shape.message(1, typeof d === 'number' ? new Writer().int(1, d) : new Writer().string(2, d));
    tensorType.message(2, shape);
  }
  return new Writer().string(1, v.name).message(2, new Writer().message(1, tensorType));
}

/**
 * ModelProto: ir_version 1, producer_name 2, producer_version 3, doc_string 6, graph 7,
 * opset_import 8 (OperatorSetIdProto { domain 1, version 2 }), metadata_props 14.
 * GraphProto: node 1, name 2, initializer 5, input 11, output 12.
 */
export function encodeModel(m: ModelSpec): Uint8Array {
  const g = new Writer();
  for (const n of m.nodes) g.message(1, node(n));
  g.string(2, m.graphName);
  for (const t of m.initializers) g.message(5, tensor(t));
  for (const i of m.inputs) g.message(11, valueInfo(i));
  for (const o of m.outputs) g.message(12, valueInfo(o));
  const model = new Writer().int(1, m.irVersion).string(2, m.producer).string(3, m.producerVersion);
  if (m.doc) model.string(6, m.doc);
  model.message(7, g).message(8, new Writer().string(1, '').int(2, m.opset));
  for (const [k, v] of Object.entries(m.metadata ?? {})) model.message(14, new Writer().string(1, k).string(2, v));
  return model.finish();
}
