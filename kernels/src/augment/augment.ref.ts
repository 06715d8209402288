// CPU reference for augment.wgsl + blur.wgsl, in float64, one op after the other on whole
// images (the sequential semantics the fused passes must reproduce).
import { blurTaps, drawParams, type Pipeline, SLOTS } from './pipeline.js';

type Img = Float64Array[]; // C planes of h·w

function cropResize(src: Img, w: number, box: ArrayLike<number>, oh: number, ow: number): Img {
  const [y0, x0, ch, cw] = [box[0], box[1], box[2], box[3]];
  return src.map((plane) => {
    const o = new Float64Array(oh * ow);
    for (let y = 0; y < oh; y++) {
      const fy = Math.max(((y + 0.5) * ch) / oh - 0.5, 0);
      const iy = Math.min(Math.floor(fy), ch - 1);
      const iy1 = Math.min(iy + 1, ch - 1);
      const ly = fy - iy;
      for (let x = 0; x < ow; x++) {
        const fx = Math.max(((x + 0.5) * cw) / ow - 0.5, 0);
        const ix = Math.min(Math.floor(fx), cw - 1);
        const ix1 = Math.min(ix + 1, cw - 1);
        const lx = fx - ix;
        const at = (yy: number, xx: number) => plane[(y0 + yy) * w + x0 + xx];
        const top = at(iy, ix) * (1 - lx) + at(iy, ix1) * lx;
        const bot = at(iy1, ix) * (1 - lx) + at(iy1, ix1) * lx;
        o[y * ow + x] = top * (1 - ly) + bot * ly;
      }
    }
    return o;
  });
}

const clamp01 = (v: number) => Math.min(Math.max(v, 0), 1);
const grayOf = (img: Img, i: number) => (img.length === 1 ? img[0][i] : 0.299 * img[0][i] + 0.587 * img[1][i] + 0.114 * img[2][i]);

/** torchvision _rgb2hsv → (h + shift) mod 1 → _hsv2rgb, one pixel. */
export function hueShiftRef(r: number, g: number, b: number, shift: number): [number, number, number] {
  const maxc = Math.max(r, g, b);
  const minc = Math.min(r, g, b);
  const eq = maxc === minc;
  const cr = maxc - minc;
  const s = cr / (eq ? 1 : maxc);
  const d = eq ? 1 : cr;
  const [rc, gc, bc] = [(maxc - r) / d, (maxc - g) / d, (maxc - b) / d];
  let h = maxc === r ? bc - gc : maxc === g ? 2 + rc - bc : 4 + gc - rc;
  h = (((h / 6 + 1) % 1) + shift + 1) % 1;
  const i = Math.floor(h * 6) % 6;
  const f = h * 6 - Math.floor(h * 6);
  const v = maxc;
  const p = clamp01(v * (1 - s));
  const q = clamp01(v * (1 - s * f));
  const t = clamp01(v * (1 - s * (1 - f)));
  return ([[v, t, p], [q, v, p], [p, v, t], [p, q, v], [t, p, v], [v, p, q]] as const)[i] as [number, number, number];
}

export function jitterRef(img: Img, brightness: number, contrast: number, saturation: number, hue: number): Img {
  let x = img.map((pl) => pl.map((v) => clamp01(v * brightness)));
  const n = x[0].length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += grayOf(x, i);
  mean /= n;
  x = x.map((pl) => pl.map((v) => clamp01(contrast * v + (1 - contrast) * mean)));
  if (x.length === 1) return x;
  const gray = Float64Array.from({ length: n }, (_, i) => grayOf(x, i));
  x = x.map((pl) => pl.map((v, i) => clamp01(saturation * v + (1 - saturation) * gray[i])));
  for (let i = 0; i < n; i++) {
    const [r, g, b] = hueShiftRef(x[0][i], x[1][i], x[2][i], hue);
    x[0][i] = r;
    x[1][i] = g;
    x[2][i] = b;
  }
  return x;
}

export function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  const j = Math.abs(i) % period;
  return j >= n ? period - j : j;
}

/** Separable gaussian blur, K taps, reflect padding, weights normalised over the taps. */
export function blurRef(img: Img, h: number, w: number, sigma: number, k: number): Img {
  const r = (k - 1) / 2;
  const wts = Array.from({ length: k }, (_, t) => Math.exp(-((t - r) ** 2) / (2 * sigma * sigma)));
  const norm = wts.reduce((a, b) => a + b, 0);
  return img.map((pl) => {
    const tmp = new Float64Array(h * w);
    const out = new Float64Array(h * w);
    for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) {
      let acc = 0;
      for (let t = 0; t < k; t++) acc += wts[t] * pl[i * w + reflectIndex(j + t - r, w)];
      tmp[i * w + j] = acc / norm;
    }
    for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) {
      let acc = 0;
      for (let t = 0; t < k; t++) acc += wts[t] * tmp[reflectIndex(i + t - r, h) * w + j];
      out[i * w + j] = acc / norm;
    }
    return out;
  });
}

/** The pipeline on (N, C, H, W) images; returns (views·N, C, oh, ow) in float64. */
export function augmentRef(
  images: ArrayLike<number>,
  shape: readonly number[],
  pipeline: Pipeline,
  opts: { seed: number; outSize?: readonly [number, number]; views?: number },
): Float64Array {
  const [n, c, h, w] = shape;
  const [oh, ow] = opts.outSize ?? [h, w];
  const samples = (opts.views ?? 1) * n;
  const sp = drawParams(pipeline, opts.seed, samples, h, w);
  const out = new Float64Array(samples * c * oh * ow);
  for (let s = 0; s < samples; s++) {
    const q = sp.subarray(s * SLOTS, (s + 1) * SLOTS);
    const img = s % n;
    let x: Img = Array.from({ length: c }, (_, ch) => Float64Array.from({ length: h * w }, (_, i) => images[(img * c + ch) * h * w + i]));
    if (pipeline.crop) x = cropResize(x, w, q, oh, ow);
    if (q[4] > 0.5) x = x.map((pl) => pl.map((_, i) => pl[i - (i % ow) + ow - 1 - (i % ow)]));
    if (q[5] > 0.5) x = jitterRef(x, q[6], q[7], q[8], q[9]);
    if (q[10] > 0.5 && c === 3) {
      const g = Float64Array.from({ length: oh * ow }, (_, i) => grayOf(x, i));
      x = [g, g.slice(), g.slice()];
    }
    if (pipeline.blur && q[11] > 0) x = blurRef(x, oh, ow, q[11], blurTaps(pipeline.blur, oh, ow));
    if (pipeline.solarize && q[12] > 0.5) {
      const thr = pipeline.solarize.threshold;
      x = x.map((pl) => pl.map((v) => (v >= thr ? 1 - v : v)));
    }
    for (let ch = 0; ch < c; ch++) out.set(x[ch], (s * c + ch) * oh * ow);
  }
  return out;
}
