// The safetensors format (Hugging Face): u64 LE header length, JSON header
// { name: { dtype, shape, data_offsets: [begin, end] }, __metadata__: { … } }, then the bytes.
import type { DType, HostArray } from './backend.js';

export interface NamedArray {
  dtype: DType;
  shape: number[];
  data: HostArray;
}

const TAG: Record<DType, string> = { f32: 'F32', i32: 'I32' };

export function encodeSafetensors(arrays: Map<string, NamedArray>, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, a] of arrays) {
    header[name] = { dtype: TAG[a.dtype], shape: a.shape, data_offsets: [offset, offset + a.data.byteLength] };
    offset += a.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + json.length) % 8)) % 8); // align data to 8 bytes
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const a of arrays.values()) {
    out.set(new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength), at);
    at += a.data.byteLength;
  }
  return out;
}

export function decodeSafetensors(bytes: Uint8Array, file = 'safetensors'): { arrays: Map<string, NamedArray>; metadata: Record<string, string> } {
  if (bytes.length < 8) throw new Error(`${file}: truncated (${bytes.length} bytes, no header)`);
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  if (n > bytes.length - 8) throw new Error(`${file}: header length ${n} exceeds file size ${bytes.length}`);
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw new Error(`${file}: corrupt header (${(e as Error).message})`);
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) throw new Error(`${file}: corrupt header (not a JSON object)`);
  const base = 8 + n;
  const arrays = new Map<string, NamedArray>();
  let metadata: Record<string, string> = {};
  for (const [name, h] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = h as unknown as Record<string, string>;
      continue;
    }
    const dtype = h.dtype === 'F32' ? 'f32' : h.dtype === 'I32' ? 'i32' : null;
    if (!dtype) throw new Error(`${file}: tensor '${name}' has unsupported dtype ${h.dtype}`);
    if (!Array.isArray(h.shape) || !h.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new Error(`${file}: tensor '${name}' has a bad shape ${JSON.stringify(h.shape)}`);
    if (!Array.isArray(h.data_offsets) || h.data_offsets.length !== 2 || !h.data_offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) throw new Error(`${file}: tensor '${name}' has bad data_offsets ${JSON.stringify(h.data_offsets)}`);
    const [b, e] = h.data_offsets;
    const count = h.shape.reduce((x, y) => x * y, 1);
    if (e - b !== count * 4 || base + e > bytes.length) throw new Error(`${file}: tensor '${name}' (${h.shape.join('×')}) has ${e - b} bytes at [${b}, ${e}) — file truncated or corrupt`);
    const copy = bytes.slice(base + b, base + e);
    arrays.set(name, { dtype, shape: h.shape, data: dtype === 'f32' ? new Float32Array(copy.buffer) : new Int32Array(copy.buffer) });
  }
  checkDisjoint(header, file);
  return { arrays, metadata };
}

/** Tensors may not share bytes: two names over one range would load as one aliased, corrupt state. */
function checkDisjoint(header: Record<string, { data_offsets: [number, number] }>, file: string): void {
  const ranges = Object.entries(header).filter(([k]) => k !== '__metadata__').map(([k, h]) => ({ k, b: h.data_offsets[0], e: h.data_offsets[1] })).sort((x, y) => x.b - y.b || x.e - y.e);
  for (let i = 1; i < ranges.length; i++) {
    const [p, q] = [ranges[i - 1], ranges[i]];
    if (q.b < p.e) throw new Error(`${file}: tensors '${p.k}' [${p.b}, ${p.e}) and '${q.k}' [${q.b}, ${q.e}) overlap`);
  }
}
