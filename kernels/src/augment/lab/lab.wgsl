// sRGB ↔ CIELAB (D65 white, 2° observer; the matrices of skimage.color), one invocation per pixel.
//   DIR = 0: x (N, 3, H, W) sRGB in [0, 1] → y (N, 3, H, W) = (L ∈ [0, 100], a, b)
//   DIR = 1: the inverse; the sRGB result is clamped to [0, 1] (out-of-gamut Lab).
// sRGB → linear: c ≤ 0.04045 ? c/12.92 : ((c + 0.055)/1.055)^2.4;  XYZ = M·linear;
// f(t) = t > δ³ ? t^(1/3) : t/(3δ²) + 4/29 with δ = 6/29;
// L = 116 f(Y/Yn) − 16,  a = 500 (f(X/Xn) − f(Y/Yn)),  b = 200 (f(Y/Yn) − f(Z/Zn)).

override DIR: u32 = 0u;

struct Params { n: u32, hw: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

const WHITE = vec3f(0.95047, 1.0, 1.08883);
const DELTA: f32 = 6.0 / 29.0;
// WGSL matrices are column-major: these constructors list columns, so M·v applies rows of skimage's M
const M = mat3x3f(0.412453, 0.212671, 0.019334, 0.357580, 0.715160, 0.119193, 0.180423, 0.072169, 0.950227);
const MINV = mat3x3f(3.2404813432, -0.9692549500, 0.0556466391, -1.5371515163, 1.8759900015, -0.2040413384, -0.4985363262, 0.0415559266, 1.0573110696);

fn f(t: f32) -> f32 {
  if (t > DELTA * DELTA * DELTA) { return pow(t, 1.0 / 3.0); }
  return t / (3.0 * DELTA * DELTA) + 4.0 / 29.0;
}
fn finv(t: f32) -> f32 {
  if (t > DELTA) { return t * t * t; }
  return 3.0 * DELTA * DELTA * (t - 4.0 / 29.0);
}
fn to_linear(c: f32) -> f32 {
  if (c <= 0.04045) { return c / 12.92; }
  return pow((c + 0.055) / 1.055, 2.4);
}
fn to_srgb(l: f32) -> f32 {
  if (l <= 0.0031308) { return 12.92 * l; }
  return 1.055 * pow(l, 1.0 / 2.4) - 0.055;
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n * p.hw) { return; }
  let base = (i / p.hw) * 3u * p.hw + i % p.hw;
  let v = vec3f(x[base], x[base + p.hw], x[base + 2u * p.hw]);
  var r: vec3f;
  if (DIR == 0u) {
    let xyz = M * vec3f(to_linear(v.x), to_linear(v.y), to_linear(v.z)) / WHITE;
    let fx = f(xyz.x);
    let fy = f(xyz.y);
    let fz = f(xyz.z);
    r = vec3f(116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz));
  } else {
    let fy = (v.x + 16.0) / 116.0;
    let xyz = WHITE * vec3f(finv(fy + v.y / 500.0), finv(fy), finv(fy - v.z / 200.0));
    let lin = MINV * xyz;
    r = clamp(vec3f(to_srgb(lin.x), to_srgb(lin.y), to_srgb(lin.z)), vec3f(0.0), vec3f(1.0));
  }
  y[base] = r.x;
  y[base + p.hw] = r.y;
  y[base + 2u * p.hw] = r.z;
}
