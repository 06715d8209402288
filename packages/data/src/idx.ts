// IDX files (LeCun's MNIST format): magic 0x0000 <type> <ndims>, ndims u32 BE sizes, then data.
// Parsing is pure (browser and Node); decompressing a .gz is the caller's (gunzipIdx in Node,
// DecompressionStream('gzip') in a browser).

export interface IdxArray {
  shape: number[];
  data: Uint8Array;
}

/** gzip's magic bytes 1f 8b. */
export const isGzip = (b: Uint8Array): boolean => b[0] === 0x1f && b[1] === 0x8b;

/** Parses an uncompressed IDX buffer of unsigned bytes; errors name the file and the problem. */
export function parseIdx(buf: Uint8Array, file: string, expect: { ndims: number; count?: number; dims?: number[] }): IdxArray {
  if (isGzip(buf)) throw new Error(`${file}: gzip-compressed; decompress it first (gunzipIdx in Node, DecompressionStream('gzip') in a browser)`);
  if (buf.length < 4) throw new Error(`${file}: ${buf.length} bytes is too short for an IDX header`);
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magic = v.getUint32(0, false);
  const type = (magic >> 8) & 0xff;
  const ndims = magic & 0xff;
  if (magic >> 16 !== 0 || type !== 0x08) throw new Error(`${file}: bad IDX magic 0x${magic.toString(16).padStart(8, '0')} (want 0x000008${expect.ndims.toString(16).padStart(2, '0')}: unsigned bytes)`);
  if (ndims !== expect.ndims) throw new Error(`${file}: IDX has ${ndims} dimensions, expected ${expect.ndims}`);
  if (buf.length < 4 + 4 * ndims) throw new Error(`${file}: truncated IDX header`);
  const shape = Array.from({ length: ndims }, (_, i) => v.getUint32(4 + 4 * i, false));
  if (expect.count !== undefined && shape[0] !== expect.count) throw new Error(`${file}: holds ${shape[0]} items, expected ${expect.count}`);
  expect.dims?.forEach((d, i) => {
    if (shape[i + 1] !== d) throw new Error(`${file}: item shape ${shape.slice(1).join('×')}, expected ${expect.dims?.join('×')}`);
  });
  const n = shape.reduce((a, b) => a * b, 1);
  const start = 4 + 4 * ndims;
  if (buf.length - start !== n) throw new Error(`${file}: ${buf.length - start} data bytes, header says ${n} (${shape.join('×')}) — file truncated or corrupt`);
  return { shape, data: buf.subarray(start) };
}
