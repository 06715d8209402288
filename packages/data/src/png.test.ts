import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { imageGridPng, writeImageGrid } from './png.js';

describe('writeImageGrid', () => {
  it('lays out tiles row-major with padding and decodes back to the pixel values', () => {
    // 5 images of 2×3, C = 3: image s has red = s/4, green = pixel index/5, blue = 1 − red
    const [n, c, h, w] = [5, 3, 2, 3];
    const x = new Float32Array(n * c * h * w);
    for (let s = 0; s < n; s++) for (let i = 0; i < h * w; i++) {
      x[(s * c) * h * w + i] = s / 4;
      x[(s * c + 1) * h * w + i] = i / 5;
      x[(s * c + 2) * h * w + i] = 1 - s / 4;
    }
    const path = join(mkdtempSync(join(tmpdir(), 'png-')), 'grid.png');
    writeImageGrid(path, x, [n, c, h, w], 2, { pad: 1, background: 0 });
    const png = PNG.sync.read(readFileSync(path));
    expect([png.width, png.height]).toEqual([2 * w + 3, 3 * h + 4]); // 2 columns, 3 rows
    const px = (yy: number, xx: number) => [...png.data.subarray((yy * png.width + xx) * 4, (yy * png.width + xx) * 4 + 4)];
    for (let s = 0; s < n; s++) for (let i = 0; i < h * w; i++) {
      const [top, left] = [1 + Math.floor(s / 2) * (h + 1), 1 + (s % 2) * (w + 1)];
      const want = [Math.round((s / 4) * 255), Math.round((i / 5) * 255), Math.round((1 - s / 4) * 255), 255];
      expect(px(top + Math.floor(i / w), left + (i % w)), `image ${s} pixel ${i}`).toEqual(want);
    }
    expect(px(0, 0)).toEqual([0, 0, 0, 0]); // padding
    expect(px(png.height - 2, png.width - 2)).toEqual([0, 0, 0, 0]); // the empty sixth cell
  });

  it('repeats a gray channel, clamps, and shows NaN as magenta', () => {
    const png = PNG.sync.read(imageGridPng(Float32Array.of(-1, 0.5, 2, Number.NaN), [1, 1, 2, 2], 4, { pad: 0 }));
    expect([...png.data]).toEqual([0, 0, 0, 255, 128, 128, 128, 255, 255, 255, 255, 255, 255, 0, 255, 255]);
  });

  it('rejects bad shapes with clear messages', () => {
    expect(() => imageGridPng(new Float32Array(8), [1, 2, 2, 2], 1)).toThrow(/channel count must be 1 or 3, got 2/);
    expect(() => imageGridPng(new Float32Array(7), [1, 1, 2, 4], 1)).toThrow(/holds 8 values, images has 7/);
    expect(() => imageGridPng(new Float32Array(4), [1, 1, 2, 2], 0)).toThrow(/cols must be an integer ≥ 1/);
  });
});
