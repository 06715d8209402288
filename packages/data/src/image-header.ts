// What an image file is, from its first bytes, without decoding it: format, size, and whether it
// is grayscale (a folder of gray images trains a 1-channel encoder; one colour image makes it 3).

export interface ImageHeader {
  format: 'png' | 'jpeg';
  width: number;
  height: number;
  /** PNG colour type 0 or 4 (gray, gray + alpha); JPEG with one component. */
  gray: boolean;
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The header of a PNG or JPEG, or null when the bytes are neither (or cut before the size). */
export function imageHeader(b: Uint8Array): ImageHeader | null {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  // PNG: magic, then the IHDR chunk: length, 'IHDR', width u32 BE, height u32 BE, depth, colour type
  if (b.length >= 26 && PNG_MAGIC.every((m, i) => b[i] === m)) {
    return { format: 'png', width: v.getUint32(16), height: v.getUint32(20), gray: b[25] === 0 || b[25] === 4 };
  }
  // JPEG: SOI ff d8, then segments ff <marker> <u16 length>; a start-of-frame (c0–cf but c4, c8,
  // cc) holds precision u8, height u16, width u16, components u8
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    let at = 2;
    while (at + 4 <= b.length) {
      if (b[at] !== 0xff) return null;
      const marker = b[at + 1];
      if (marker === 0xff) {
        at++;
        continue;
      }
      const len = v.getUint16(at + 2);
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        if (at + 10 > b.length) return null;
        return { format: 'jpeg', height: v.getUint16(at + 5), width: v.getUint16(at + 7), gray: b[at + 9] === 1 };
      }
      at += 2 + len;
    }
  }
  return null;
}
