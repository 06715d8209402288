// Strict UTF-8: text that is not valid UTF-8 is an error naming the file and the byte offset of
// the first bad sequence (never silently replaced by U+FFFD).

/** Text that is not valid UTF-8: `offset` is the byte where the first bad sequence starts. */
export class Utf8Error extends Error {
  override name = 'Utf8Error';
  constructor(readonly source: string, readonly offset: number, detail: string) {
    super(`${source}: not valid UTF-8 at byte offset ${offset} (${detail})`);
  }
}

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes bytes as UTF-8; throws Utf8Error with the offset of the first invalid sequence. */
export function decodeUtf8(bytes: Uint8Array, source: string): string {
  try {
    return strict.decode(bytes);
  } catch {
    const bad = firstInvalid(bytes);
    throw new Utf8Error(source, bad.offset, bad.detail);
  }
}

const hex = (b: number) => `0x${b.toString(16).padStart(2, '0')}`;

/** The first invalid sequence: a stray continuation byte, a bad lead byte, a truncated, overlong or surrogate sequence. */
export function firstInvalid(bytes: Uint8Array): { offset: number; detail: string } {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    // lead byte → sequence length and the valid range of the second byte (RFC 3629, table 3-7)
    let n = 0;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) n = 2;
    else if (b >= 0xe0 && b <= 0xef) [n, lo, hi] = [3, b === 0xe0 ? 0xa0 : 0x80, b === 0xed ? 0x9f : 0xbf];
    else if (b >= 0xf0 && b <= 0xf4) [n, lo, hi] = [4, b === 0xf0 ? 0x90 : 0x80, b === 0xf4 ? 0x8f : 0xbf];
    else return { offset: i, detail: b >= 0x80 && b <= 0xbf ? `continuation byte ${hex(b)} without a lead byte` : `byte ${hex(b)} never appears in UTF-8` };
    for (let k = 1; k < n; k++) {
      if (i + k >= bytes.length) return { offset: i, detail: `sequence of ${n} bytes cut short by the end of the data` };
      const c = bytes[i + k];
      const [l, h] = k === 1 ? [lo, hi] : [0x80, 0xbf];
      if (c < l || c > h) return { offset: i, detail: `lead byte ${hex(b)} followed by ${hex(c)}` };
    }
    i += n;
  }
  return { offset: bytes.length, detail: 'no invalid sequence' };
}
