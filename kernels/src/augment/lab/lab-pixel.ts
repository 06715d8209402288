// CIELAB (D65 white, 2° observer; the matrices of skimage.color) of one pixel on the host, in
// float64: the body of lab.ref.ts, and the host side of colour statistics computed once (the ab
// bins colorization classifies over are those its training data uses).
const M = [
  [0.412453, 0.35758, 0.180423],
  [0.212671, 0.71516, 0.072169],
  [0.019334, 0.119193, 0.950227],
];
const MINV = [
  [3.240481343200526, -1.5371515162713185, -0.4985363261688878],
  [-0.9692549499965682, 1.8759900014898907, 0.04155592655829284],
  [0.05564663913517716, -0.20404133836651123, 1.0573110696453443],
];
const WHITE = [0.95047, 1, 1.08883];
const D = 6 / 29;
const f = (t: number) => (t > D ** 3 ? Math.cbrt(t) : t / (3 * D * D) + 4 / 29);
const finv = (t: number) => (t > D ? t ** 3 : 3 * D * D * (t - 4 / 29));
const toLinear = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
const toSrgb = (l: number) => (l <= 0.0031308 ? 12.92 * l : 1.055 * l ** (1 / 2.4) - 0.055);
const mul = (m: number[][], v: number[]) => m.map((row) => row[0] * v[0] + row[1] * v[1] + row[2] * v[2]);

export function rgbToLabPixel(r: number, g: number, b: number): [number, number, number] {
  const xyz = mul(M, [toLinear(r), toLinear(g), toLinear(b)]).map((v, i) => f(v / WHITE[i]));
  return [116 * xyz[1] - 16, 500 * (xyz[0] - xyz[1]), 200 * (xyz[1] - xyz[2])];
}

export function labToRgbPixel(l: number, a: number, b: number): [number, number, number] {
  const fy = (l + 16) / 116;
  const xyz = [finv(fy + a / 500), finv(fy), finv(fy - b / 200)].map((v, i) => v * WHITE[i]);
  return mul(MINV, xyz).map((v) => Math.min(Math.max(toSrgb(v), 0), 1)) as [number, number, number];
}
