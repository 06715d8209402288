// Writes a batch of images as one PNG grid, so a person can look at what a pipeline does.
import { writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';

export interface GridOptions {
  /** Pixels between tiles (default 2). */
  pad?: number;
  /** Gray level 0..255 of the padding (default 255, white). */
  background?: number;
}

/**
 * Encodes (N, C, H, W) images in [0, 1] (C = 1 or 3; values clamped, NaN shown as magenta)
 * as an RGBA PNG of ⌈N / cols⌉ rows × cols tiles in row-major order.
 */
export function imageGridPng(images: Float32Array, shape: readonly [number, number, number, number], cols: number, opts: GridOptions = {}): Buffer {
  const [n, c, h, w] = shape;
  if (![n, h, w].every((d) => Number.isInteger(d) && d > 0)) throw new RangeError(`writeImageGrid: shape must be positive (N, C, H, W), got [${shape.join(', ')}]`);
  if (c !== 1 && c !== 3) throw new RangeError(`writeImageGrid: channel count must be 1 or 3, got ${c}`);
  if (images.length !== n * c * h * w) throw new RangeError(`writeImageGrid: shape [${shape.join(', ')}] holds ${n * c * h * w} values, images has ${images.length}`);
  if (!Number.isInteger(cols) || cols < 1) throw new RangeError(`writeImageGrid: cols must be an integer ≥ 1, got ${cols}`);
  const pad = opts.pad ?? 2;
  const columns = Math.min(cols, n);
  const rows = Math.ceil(n / columns);
  const width = columns * w + (columns + 1) * pad;
  const height = rows * h + (rows + 1) * pad;
  const png = new PNG({ width, height });
  png.data.fill(opts.background ?? 255);
  const byte = (v: number) => Math.round(Math.min(Math.max(v, 0), 1) * 255);
  for (let s = 0; s < n; s++) {
    const top = pad + Math.floor(s / columns) * (h + pad);
    const left = pad + (s % columns) * (w + pad);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const o = ((top + y) * width + left + x) * 4;
      for (let k = 0; k < 3; k++) {
        const v = images[(s * c + (c === 1 ? 0 : k)) * h * w + y * w + x];
        png.data[o + k] = Number.isNaN(v) ? (k === 1 ? 0 : 255) : byte(v);
      }
      png.data[o + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

/** Writes `imageGridPng(...)` to `path`. */
export function writeImageGrid(path: string, images: Float32Array, shape: readonly [number, number, number, number], cols: number, opts: GridOptions = {}): void {
  writeFileSync(path, imageGridPng(images, shape, cols, opts));
}
