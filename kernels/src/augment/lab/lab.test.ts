import { freshSeed, poisoned, randu, relErr, testGpu } from '@pretext/gpu/testing';
import { describe, expect, it } from 'vitest';
import { labToRgb, rgbToLab } from './lab.js';
import { rgbToLabPixel } from './lab-pixel.js';
import { labRef } from './lab.ref.js';

const numel = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

describe('augment lab', () => {
  it('reference hits known CIELAB values (D65)', () => {
    const white = rgbToLabPixel(1, 1, 1);
    expect(white[0]).toBeCloseTo(100, 3);
    expect(Math.abs(white[1]) + Math.abs(white[2])).toBeLessThan(0.01);
    const red = rgbToLabPixel(1, 0, 0); // skimage: (53.24, 80.09, 67.20)
    expect(red[0]).toBeCloseTo(53.24, 1);
    expect(red[1]).toBeCloseTo(80.09, 1);
    expect(red[2]).toBeCloseTo(67.2, 1);
  });

  it('rgb→lab and lab→rgb match the reference; the round trip returns the image', async () => {
    const gpu = await testGpu();
    for (const shape of [[1, 3, 5, 13], [3, 3, 28, 33], [3, 3, 13, 5]]) {
      const seed = freshSeed();
      const rgb = randu(numel(shape), seed);
      rgb[0] = 0; // exact black and white, through the linear branches
      rgb[1] = 1;
      const x = gpu.upload(rgb, shape);
      const lab = rgbToLab(gpu, x, { out: poisoned(gpu, shape) });
      const labHost = await gpu.download(lab);
      expect(relErr(labHost, labRef(rgb, shape, 'toLab')), `seed ${seed} shape ${shape}`).toBeLessThan(1e-5);
      const back = await gpu.download(labToRgb(gpu, lab, { out: poisoned(gpu, shape) }));
      expect(relErr(back, labRef(labHost, shape, 'toRgb')), `seed ${seed} shape ${shape}`).toBeLessThan(1e-5);
      expect(relErr(back, rgb), `round trip, seed ${seed} shape ${shape}`).toBeLessThan(1e-4);
    }
  });

  it('rejects images that are not RGB', async () => {
    const gpu = await testGpu();
    expect(() => rgbToLab(gpu, gpu.upload(new Float32Array(16), [1, 1, 4, 4]))).toThrow(/augment\.rgbToLab: argument 'images': needs 3 channels, got 1/);
    expect(() => labToRgb(gpu, gpu.upload(new Float32Array(32), [1, 2, 4, 4]))).toThrow(/channel count must be 1 or 3, got 2/);
  });
});
