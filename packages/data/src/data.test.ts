import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { EMOJI_CATEGORIES, ImageLoader, loadEmoji, loadFashionMnist, loadFortunes, parseIdx, parseIdxFile, permutation } from './node.js';

function idx(dims: number[], data: number[], magicType = 0x08): Uint8Array {
  const b = new Uint8Array(4 + 4 * dims.length + data.length);
  const v = new DataView(b.buffer);
  v.setUint32(0, (magicType << 8) | dims.length, false);
  dims.forEach((d, i) => v.setUint32(4 + 4 * i, d, false));
  b.set(data, 4 + 4 * dims.length);
  return b;
}

describe('IDX', () => {
  it('parses plain and gzip files', () => {
    const raw = idx([2, 2, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    for (const buf of [raw, new Uint8Array(gzipSync(raw))]) {
      const a = parseIdxFile(buf, 'x', { ndims: 3, count: 2, dims: [2, 3] });
      expect(a.shape).toEqual([2, 2, 3]);
      expect([...a.data]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    }
  });
  it('names the file and the problem for corrupt input', () => {
    expect(() => parseIdx(idx([2, 3], [1, 2, 3, 4, 5]), 'f.idx', { ndims: 2 })).toThrow(/f\.idx: 5 data bytes, header says 6.*truncated/);
    expect(() => parseIdx(idx([2], [1, 2], 0x0d), 'f.idx', { ndims: 1 })).toThrow(/f\.idx: bad IDX magic/);
    expect(() => parseIdx(idx([2], [1, 2]), 'f.idx', { ndims: 3 })).toThrow(/1 dimensions, expected 3/);
    expect(() => parseIdx(idx([3], [1, 2, 3]), 'f.idx', { ndims: 1, count: 4 })).toThrow(/holds 3 items, expected 4/);
    const gz = new Uint8Array(gzipSync(idx([4], [1, 2, 3, 4])));
    expect(() => parseIdxFile(gz.subarray(0, gz.length - 6), 'f.gz', { ndims: 1 })).toThrow(/f\.gz: not a valid gzip/);
    expect(() => parseIdx(gz, 'f.gz', { ndims: 1 })).toThrow(/f\.gz: gzip-compressed; decompress it first/);
  });
});

describe('datasets', () => {
  it('loads Fashion-MNIST from the Debian package', () => {
    const ds = loadFashionMnist('test', { limit: 500 });
    expect(ds.shape).toEqual([500, 1, 28, 28]);
    expect(Math.max(...ds.images.subarray(0, 784))).toBeLessThanOrEqual(1);
    expect(new Set(ds.labels).size).toBe(10);
  });
  it('says how to install a missing dataset', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fm-'));
    expect(() => loadFashionMnist('train', { dir })).toThrow(/apt-get install dataset-fashion-mnist/);
    writeFileSync(join(dir, 't10k-images-idx3-ubyte.gz'), gzipSync(idx([10000, 28, 28], [1, 2, 3])));
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'), gzipSync(idx([10000], [1])));
    expect(() => loadFashionMnist('test', { dir })).toThrow(/t10k-images-idx3-ubyte\.gz: 3 data bytes.*truncated/);
  });
  it('loads emoji pairs from both vendors with their categories', () => {
    const e = loadEmoji({ limit: 40 });
    expect(e.google.shape).toEqual([40, 3, 64, 64]);
    expect(e.twitter.shape).toEqual([40, 3, 64, 64]);
    expect([...e.google.labels]).toEqual([...e.twitter.labels]);
    expect(e.google.classes).toEqual(EMOJI_CATEGORIES);
    // different drawings of the same emoji
    let diff = 0;
    for (let i = 0; i < 3 * 64 * 64; i++) diff += Math.abs(e.google.images[i] - e.twitter.images[i]);
    expect(diff).toBeGreaterThan(10);
  });
  it('loads fortunes by category', () => {
    const f = loadFortunes();
    expect(f.texts.length).toBeGreaterThan(1000);
    expect(f.categories).toContain('computers');
    expect(f.texts.every((t) => !t.includes('\n%\n'))).toBe(true);
  });
});

describe('ImageLoader', () => {
  it('is a seeded permutation per epoch, deterministic, dropping the partial batch', async () => {
    const ds = loadFashionMnist('test', { limit: 103 });
    const loader = new ImageLoader(ds, 10, { seed: 7 });
    expect(loader.batchesPerEpoch).toBe(10);
    const seen: number[] = [];
    for await (const b of loader.epoch(0)) seen.push(...b.index);
    expect(new Set(seen).size).toBe(100);
    expect([...loader.batch(0, 3).index]).toEqual(seen.slice(30, 40));
    expect([...loader.batch(1, 0).index]).not.toEqual(seen.slice(0, 10));
    expect([...permutation(50, 3)].sort((a, b) => a - b)).toEqual([...Array(50).keys()]);
    const b = loader.batch(0, 0);
    expect(b.images.subarray(0, 784)).toEqual(ds.images.subarray(b.index[0] * 784, b.index[0] * 784 + 784));
  });
});
