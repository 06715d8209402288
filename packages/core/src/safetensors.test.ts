import { describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors, f16ToF32 } from './safetensors.js';

/** A safetensors file built by hand (not by our encoder): header JSON padded to 8 bytes, then `data`. */
function handMade(header: Record<string, unknown>, data: Uint8Array): Uint8Array {
  let json = new TextEncoder().encode(JSON.stringify(header));
  const pad = (8 - (json.length % 8)) % 8;
  json = Uint8Array.from([...json, ...new Array(pad).fill(0x20)]);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const le16 = (vals: number[]) => new Uint8Array(Uint16Array.from(vals).buffer);

describe('safetensors', () => {
  it('aligns the data by header bytes when tensor names are not ASCII', () => {
    const w = Float32Array.from([1.5, -2, 3.25]);
    const bytes = encodeSafetensors(new Map([['größe.gewicht·λ', { dtype: 'f32', shape: [3], data: w }], ['ids', { dtype: 'i32', shape: [2], data: Int32Array.from([7, -8]) }]]));
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    // a reader that trusts only the spec: data of the first tensor at 8 + n
    expect([...new Float32Array(bytes.slice(8 + n, 8 + n + 12).buffer)]).toEqual([1.5, -2, 3.25]);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header['größe.gewicht·λ'].data_offsets).toEqual([0, 12]);
    const { arrays } = decodeSafetensors(bytes);
    expect([...(arrays.get('größe.gewicht·λ')?.data ?? [])]).toEqual([1.5, -2, 3.25]);
    expect([...(arrays.get('ids')?.data ?? [])]).toEqual([7, -8]);
  });

  it('reads F16 and BF16 as f32, including subnormals, infinities and NaN', () => {
    // F16: 1, -2, 65504 (max), 2^-24 (smallest subnormal), 2^-14 (smallest normal), +inf, NaN, -0
    const f16 = [0x3c00, 0xc000, 0x7bff, 0x0001, 0x0400, 0x7c00, 0x7e00, 0x8000];
    // BF16 = the top half of an f32: 1, -2.5, 3.140625, 1e-38-ish subnormal (0x0001 → 2^-133)
    const bf16 = [0x3f80, 0xc020, 0x4049, 0x0001];
    const data = new Uint8Array([...le16(f16), ...le16(bf16)]);
    const bytes = handMade({
      half: { dtype: 'F16', shape: [2, 4], data_offsets: [0, 16] },
      brain: { dtype: 'BF16', shape: [4], data_offsets: [16, 24] },
    }, data);
    const { arrays } = decodeSafetensors(bytes, 'half.safetensors');
    const half = arrays.get('half');
    expect(half?.dtype).toBe('f32');
    expect(half?.shape).toEqual([2, 4]);
    const h = [...(half?.data ?? [])];
    expect(h.slice(0, 6)).toEqual([1, -2, 65504, 2 ** -24, 2 ** -14, Number.POSITIVE_INFINITY]);
    expect(Number.isNaN(h[6])).toBe(true);
    expect(Object.is(h[7], -0)).toBe(true);
    const b = [...(arrays.get('brain')?.data ?? [])];
    expect(b).toEqual([1, -2.5, 3.140625, Math.fround(2 ** -133)]);
    // every finite half value matches the f32 it widens to (checked against Math.fround of the formula)
    for (let bits = 0; bits < 0x7c00; bits += 97) expect(f16ToF32(bits)).toBe(Math.fround(f16ToF32(bits)));
  });

  it('names the tensor and file when a half tensor is short or a dtype unknown', () => {
    const short = handMade({ w: { dtype: 'F16', shape: [3], data_offsets: [0, 4] } }, le16([0x3c00, 0x3c00]));
    expect(() => decodeSafetensors(short, 'm.safetensors')).toThrow(/m\.safetensors: tensor 'w' \(F16 3\) has 4 bytes/);
    const u8 = handMade({ w: { dtype: 'F64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8));
    expect(() => decodeSafetensors(u8, 'm.safetensors')).toThrow(/tensor 'w' has dtype F64; readable: F32, I32, F16, BF16/);
  });
});
