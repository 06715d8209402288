// PNG (pngjs) and JPEG (jpeg-js) files → 8-bit RGBA, both pure JavaScript. Errors name the file.
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { imageHeader } from './image-header.js';

export interface DecodedImage {
  width: number;
  height: number;
  /** h × w × 4 bytes. */
  rgba: Uint8Array;
  gray: boolean;
}

/** Largest image we decode (megapixels): a bigger one is almost certainly not a training image. */
const MAX_MEGAPIXELS = 100;

export function decodeImage(bytes: Uint8Array, file: string): DecodedImage {
  const head = imageHeader(bytes);
  if (!head) throw new Error(`${file}: not a PNG or JPEG (first bytes ${[...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ') || 'none: empty file'})`);
  if (head.width * head.height > MAX_MEGAPIXELS * 1e6) throw new Error(`${file}: ${head.width}×${head.height} is over ${MAX_MEGAPIXELS} megapixels`);
  try {
    if (head.format === 'png') {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { width: png.width, height: png.height, rgba: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength), gray: head.gray };
    }
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_MEGAPIXELS, maxMemoryUsageInMB: 1024 });
    return { width: img.width, height: img.height, rgba: img.data, gray: head.gray };
  } catch (e) {
    throw new Error(`${file}: cannot decode ${head.format.toUpperCase()} (${(e as Error).message})`);
  }
}
