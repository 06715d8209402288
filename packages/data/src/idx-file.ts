// Reading IDX files in Node: gunzip when compressed, then parse.
import { gunzipSync } from 'node:zlib';
import { type IdxArray, isGzip, parseIdx } from './idx.js';

/** The bytes of an IDX file, gunzipped when they are gzip'd; errors name the file. */
export function gunzipIdx(raw: Uint8Array, file: string): Uint8Array {
  if (!isGzip(raw)) return raw;
  try {
    return new Uint8Array(gunzipSync(raw));
  } catch (e) {
    throw new Error(`${file}: not a valid gzip file (${(e as Error).message}); the download may be truncated`);
  }
}

/** parseIdx of a plain or gzip'd buffer. */
export function parseIdxFile(raw: Uint8Array, file: string, expect: { ndims: number; count?: number; dims?: number[] }): IdxArray {
  return parseIdx(gunzipIdx(raw, file), file, expect);
}
