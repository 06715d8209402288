import { mkdirSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { imageHeader, loadImageFolder, rgbaToChw, scanImageFolder } from './node.js';

const tmp = (p: string) => mkdtempSync(join(tmpdir(), p));

/** A PNG of w × h whose pixel (x, y) is rgba(x, y); colorType 0 = gray, 2 = RGB, 6 = RGBA. */
function png(w: number, h: number, rgba: (x: number, y: number) => number[], colorType: 0 | 2 | 6 = 6): Buffer {
  const p = new PNG({ width: w, height: h });
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) p.data.set(rgba(x, y), 4 * (y * w + x));
  return PNG.sync.write(p, { colorType });
}

function jpg(w: number, h: number, rgb: number[]): Uint8Array {
  const data = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) data.set([...rgb, 255], 4 * i);
  return jpeg.encode({ width: w, height: h, data }, 95).data;
}

describe('image ops', () => {
  it('reads format, size and grayness from headers', () => {
    expect(imageHeader(png(5, 3, () => [9, 9, 9, 255], 0))).toEqual({ format: 'png', width: 5, height: 3, gray: true });
    expect(imageHeader(png(5, 3, () => [9, 1, 9, 255], 2))).toEqual({ format: 'png', width: 5, height: 3, gray: false });
    expect(imageHeader(jpg(7, 4, [10, 200, 30]))).toMatchObject({ format: 'jpeg', width: 7, height: 4, gray: false });
    // a one-component (gray) JPEG frame header, by hand: SOI, SOF0 (len 11, 8 bit, h 16, w 32, 1 component)
    expect(imageHeader(Uint8Array.from([0xff, 0xd8, 0xff, 0xc0, 0, 11, 8, 0, 16, 0, 32, 1, 1, 0x11, 0]))).toEqual({ format: 'jpeg', width: 32, height: 16, gray: true });
    expect(imageHeader(new TextEncoder().encode('GIF89a....'))).toBeNull();
  });

  it('shrinks by averaging areas, crops the centre square, composites alpha on white, takes luma for 1 channel', () => {
    // 4×4 gray ramp → 2×2: each output the mean of a 2×2 block
    const w = 4;
    const rgba = new Uint8Array(w * w * 4);
    for (let p = 0; p < w * w; p++) rgba.set([p * 10, p * 10, p * 10, 255], 4 * p);
    const out = new Float32Array(4);
    rgbaToChw(rgba, 4, 4, 2, 1, out);
    const mean = (...ps: number[]) => ps.reduce((a, b) => a + b * 10, 0) / ps.length / 255;
    [mean(0, 1, 4, 5), mean(2, 3, 6, 7), mean(8, 9, 12, 13), mean(10, 11, 14, 15)].forEach((v, i) => expect(out[i]).toBeCloseTo(v, 5));
    // 6×2 wide: the centre 2×2 (columns 2, 3) kept at size 2, colour planes in CHW order
    const wide = new Uint8Array(6 * 2 * 4);
    for (let y = 0; y < 2; y++) for (let x = 0; x < 6; x++) wide.set([x * 40, 0, 255, 255], 4 * (y * 6 + x));
    const rgb = new Float32Array(3 * 4);
    rgbaToChw(wide, 6, 2, 2, 3, rgb);
    expect([...rgb.subarray(0, 4)].map((v) => Math.round(v * 255))).toEqual([80, 120, 80, 120]);
    expect([...rgb.subarray(8, 12)]).toEqual([1, 1, 1, 1]);
    // transparent pixels become white; luma of pure green
    const clear = Uint8Array.from([0, 0, 0, 0, 0, 255, 0, 255]);
    const g = new Float32Array(1);
    rgbaToChw(clear.subarray(0, 4), 1, 1, 1, 1, g);
    expect(g[0]).toBeCloseTo(1, 6);
    rgbaToChw(clear.subarray(4), 1, 1, 1, 1, g);
    expect(g[0]).toBeCloseTo(0.587, 5);
    // enlarging a constant image stays constant (bilinear weights sum to 1)
    const up = new Float32Array(9 * 9);
    rgbaToChw(Uint8Array.from([51, 51, 51, 255, 51, 51, 51, 255, 51, 51, 51, 255, 51, 51, 51, 255]), 2, 2, 9, 1, up);
    for (const v of up) expect(v).toBeCloseTo(0.2, 5);
  });
});

describe('image folders', () => {
  /** cats/ (2 gray PNGs of different sizes), dogs/ (a colour JPEG, an RGBA PNG), a broken PNG, a text file. */
  function makeFolder(): string {
    const d = tmp('pretext-folder-');
    mkdirSync(join(d, 'cats'));
    mkdirSync(join(d, 'dogs'));
    writeFileSync(join(d, 'cats', 'a.png'), png(16, 16, () => [40, 40, 40, 255], 0));
    writeFileSync(join(d, 'cats', 'b.PNG'), png(40, 30, (x) => [x * 6, x * 6, x * 6, 255], 0));
    writeFileSync(join(d, 'dogs', 'c.jpg'), jpg(20, 20, [250, 10, 10]));
    writeFileSync(join(d, 'dogs', 'd.png'), png(16, 16, () => [0, 0, 255, 128], 6));
    writeFileSync(join(d, 'dogs', 'broken.png'), png(16, 16, () => [1, 2, 3, 255]).subarray(0, 60));
    writeFileSync(join(d, 'dogs', 'notes.txt'), 'not an image');
    return d;
  }

  it('loads sub-folders as labels, resizes and converts mixed images with notes, lists what it skips', () => {
    const d = makeFolder();
    const cache = tmp('pretext-cache-');
    const scan = scanImageFolder(d);
    expect(scan.classes).toEqual(['cats', 'dogs']);
    expect(scan.files).toHaveLength(5);
    expect(scan.ignored).toBe(1);
    expect(scan.gray).toBe(false);
    const r = loadImageFolder(d, { size: 8, channels: 3, cache, scan });
    expect(r.data.shape).toEqual([4, 3, 8, 8]);
    expect([...r.data.labels]).toEqual([0, 0, 1, 1]);
    expect(r.skipped).toEqual([{ file: join('dogs', 'broken.png'), reason: expect.stringMatching(/cannot decode PNG/) }]);
    expect(r.notes.join('\n')).toMatch(/mixed sizes \(3: 2× 16×16, 1× 40×30, 1× 20×20\) resized to 8×8/);
    expect(r.notes.join('\n')).toMatch(/2 grayscale images converted to RGB/);
    expect(r.fromCache).toBe(false);
    // the red JPEG: R ≈ 1, G, B ≈ 0; half-transparent blue on white: R = G ≈ 0.5, B = 1
    const per = 3 * 64;
    const px = (i: number, c: number) => r.data.images[i * per + c * 64 + 27];
    expect(px(2, 0)).toBeGreaterThan(0.9);
    expect(px(2, 1)).toBeLessThan(0.1);
    expect(px(3, 0)).toBeCloseTo(127 / 255, 1);
    expect(px(3, 2)).toBeCloseTo(1, 5);
  });

  it('caches the decoded set and reloads when a file changes', () => {
    const d = makeFolder();
    const cache = tmp('pretext-cache-');
    const first = loadImageFolder(d, { size: 8, channels: 1, cache });
    expect(readdirSync(cache)).toHaveLength(1);
    expect(first.notes.join()).toMatch(/2 colour images converted to grayscale/);
    const again = loadImageFolder(d, { size: 8, channels: 1, cache });
    expect(again.fromCache).toBe(true);
    expect(again.data.images).toEqual(first.data.images);
    expect(again.skipped).toEqual(first.skipped);
    // a changed file (new content and time) is a new key: decoded again, new values
    writeFileSync(join(d, 'cats', 'a.png'), png(16, 16, () => [200, 200, 200, 255], 0));
    utimesSync(join(d, 'cats', 'a.png'), new Date(), new Date(Date.now() + 5000));
    const changed = loadImageFolder(d, { size: 8, channels: 1, cache });
    expect(changed.fromCache).toBe(false);
    expect(changed.data.images[0]).toBeCloseTo(200 / 255, 5);
    expect(readdirSync(cache)).toHaveLength(2);
  });

  it('names what is wrong: no folder, no images, nothing readable, a bad size', () => {
    expect(() => scanImageFolder('/nonexistent/photos')).toThrow(/image folder \/nonexistent\/photos does not exist/);
    const empty = tmp('pretext-empty-');
    writeFileSync(join(empty, 'readme.md'), '#');
    expect(() => scanImageFolder(empty)).toThrow(/no images in .*: looked for \.png, \.jpg, \.jpeg files .*\(found 1 other files\)/);
    const bad = tmp('pretext-bad-');
    writeFileSync(join(bad, 'x.jpg'), 'not a jpeg at all');
    expect(() => loadImageFolder(bad, { size: 8, channels: 3, cache: null })).toThrow(/no readable images .*all 1 failed to decode \(first: x\.jpg: not a PNG or JPEG/);
    expect(() => loadImageFolder(bad, { size: 2, channels: 3, cache: null })).toThrow(/image size must be an integer in \[4, 1024\], got 2/);
  });
});
