// The safetensors format (Hugging Face): u64 LE header length, JSON header
// { name: { dtype, shape, data_offsets: [begin, end] }, __metadata__: { … } } padded with spaces
// to a multiple of 8 bytes, then the bytes. We write F32 and I32; we read F32, I32, F16 and BF16
// (the half formats as f32 values: exports from PyTorch and Hugging Face are often half).
import type { DType, HostArray } from './backend.js';

export interface NamedArray {
  dtype: DType;
  shape: number[];
  data: HostArray;
}

const TAG: Record<DType, string> = { f32: 'F32', i32: 'I32' };
/** Bytes per element of each dtype we read, and the dtype it becomes. */
const READ: Record<string, { bytes: number; dtype: DType }> = {
  F32: { bytes: 4, dtype: 'f32' },
  I32: { bytes: 4, dtype: 'i32' },
  F16: { bytes: 2, dtype: 'f32' },
  BF16: { bytes: 2, dtype: 'f32' },
};

export function encodeSafetensors(arrays: Map<string, NamedArray>, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, a] of arrays) {
    header[name] = { dtype: TAG[a.dtype], shape: a.shape, data_offsets: [offset, offset + a.data.byteLength] };
    offset += a.data.byteLength;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  // the data starts 8-byte aligned: pad the header's UTF-8 bytes (not its characters) with spaces
  const pad = (8 - ((8 + json.length) % 8)) % 8;
  const headLength = json.length + pad;
  const out = new Uint8Array(8 + headLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headLength);
  let at = 8 + headLength;
  for (const a of arrays.values()) {
    out.set(new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength), at);
    at += a.data.byteLength;
  }
  return out;
}

/** IEEE half → f32: sign, 5-bit exponent (bias 15), 10-bit mantissa; subnormals, ±inf and NaN kept. */
export function f16ToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 31) return m ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

/** Elements of a little-endian half array (F16 or BF16) as f32. BF16 is the top 16 bits of an f32. */
function halfToF32(bytes: Uint8Array, tag: 'F16' | 'BF16'): Float32Array {
  const n = bytes.length / 2;
  const out = new Float32Array(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (tag === 'BF16') {
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < n; i++) bits[i] = view.getUint16(2 * i, true) << 16;
  } else {
    for (let i = 0; i < n; i++) out[i] = f16ToF32(view.getUint16(2 * i, true));
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
    const kind = READ[h.dtype];
    if (!kind) throw new Error(`${file}: tensor '${name}' has dtype ${h.dtype}; readable: ${Object.keys(READ).join(', ')}`);
    if (!Array.isArray(h.shape) || !h.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new Error(`${file}: tensor '${name}' has a bad shape ${JSON.stringify(h.shape)}`);
    if (!Array.isArray(h.data_offsets) || h.data_offsets.length !== 2 || !h.data_offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) throw new Error(`${file}: tensor '${name}' has bad data_offsets ${JSON.stringify(h.data_offsets)}`);
    const [b, e] = h.data_offsets;
    const count = h.shape.reduce((x, y) => x * y, 1);
    if (!(b >= 0 && e - b === count * kind.bytes && base + e <= bytes.length)) throw new Error(`${file}: tensor '${name}' (${h.dtype} ${h.shape.join('×')}) has ${e - b} bytes at [${b}, ${e}) — file truncated or corrupt`);
    const copy = bytes.slice(base + b, base + e);
    const data = h.dtype === 'F16' || h.dtype === 'BF16' ? halfToF32(copy, h.dtype) : kind.dtype === 'f32' ? new Float32Array(copy.buffer) : new Int32Array(copy.buffer);
    arrays.set(name, { dtype: kind.dtype, shape: h.shape, data });
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
