// Fused per-pixel augmentation: random resized crop (bilinear) → flip → colour jitter →
// grayscale → solarize, one invocation per output pixel (all C channels of it).
//   src: (N, C, H, W) images in [0, 1]; sample s reads image s % N (views are stacked: s = v·N + n)
//   out: (S, C, OH, OW);  sp: (S, 16) per-sample parameters (slots in pipeline.ts)
// Entry `stats` is the contrast pre-pass: one invocation per sample writes
//   sp[s, 13] = mean over output pixels of gray(clamp(brightness · crop(x), 0, 1)),
// the mean torchvision's adjust_contrast blends towards.
// Entry `sample` runs the whole pipeline, blur included, with one workgroup per sample when a
// sample's C·OH·OW floats fit twice in workgroup memory (see its comment).
// Ops are switched on by override constants, so each pipeline compiles only what it uses.

// #include "reflect.inc.wgsl"

override C: u32 = 3u;
override CROP: u32 = 1u;
override FLIP: u32 = 1u;
override JITTER: u32 = 1u;
override GRAY: u32 = 1u;
override SOLARIZE: u32 = 0u;

struct Params { samples: u32, n: u32, h: u32, w: u32, oh: u32, ow: u32, threshold: f32, k: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> sp: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

const SLOTS: u32 = 16u;
const LUMA = vec3f(0.299, 0.587, 0.114);

fn at(base: u32, y: u32, x: u32) -> f32 { return src[base + y * p.w + x]; }

// Output pixel (y, x) of sample s after crop + flip; channels beyond C are 0.
fn pixel(s: u32, y: u32, x: u32) -> vec3f {
  let o = s * SLOTS;
  var xx = x;
  if (FLIP == 1u && sp[o + 4u] > 0.5) { xx = p.ow - 1u - x; }
  let img = s % p.n;
  var v = vec3f(0.0);
  if (CROP == 0u) {
    for (var c = 0u; c < C; c++) { v[c] = at((img * C + c) * p.h * p.w, y, xx); }
    return v;
  }
  // resize the crop box (y0, x0, ch, cw) to (oh, ow): half-pixel centres, clamped to the box
  // (F.interpolate bilinear, align_corners = False, no antialias)
  let y0 = u32(sp[o]);
  let x0 = u32(sp[o + 1u]);
  let ch = sp[o + 2u];
  let cw = sp[o + 3u];
  let fy = max((f32(y) + 0.5) * ch / f32(p.oh) - 0.5, 0.0);
  let fx = max((f32(xx) + 0.5) * cw / f32(p.ow) - 0.5, 0.0);
  let iy = min(u32(fy), u32(ch) - 1u);
  let ix = min(u32(fx), u32(cw) - 1u);
  let ly = fy - f32(iy);
  let lx = fx - f32(ix);
  let iy1 = min(iy + 1u, u32(ch) - 1u);
  let ix1 = min(ix + 1u, u32(cw) - 1u);
  for (var c = 0u; c < C; c++) {
    let b = (img * C + c) * p.h * p.w;
    let top = mix(at(b, y0 + iy, x0 + ix), at(b, y0 + iy, x0 + ix1), lx);
    let bot = mix(at(b, y0 + iy1, x0 + ix), at(b, y0 + iy1, x0 + ix1), lx);
    v[c] = mix(top, bot, ly);
  }
  return v;
}

fn gray(v: vec3f) -> f32 {
  if (C == 1u) { return v.x; }
  return dot(v, LUMA);
}

// torchvision _rgb2hsv → shift h → _hsv2rgb
fn hue_shift(v: vec3f, shift: f32) -> vec3f {
  let maxc = max(v.x, max(v.y, v.z));
  let minc = min(v.x, min(v.y, v.z));
  let eq = maxc == minc;
  let cr = maxc - minc;
  let s = cr / select(maxc, 1.0, eq);
  let d = select(cr, 1.0, eq);
  let rc = (maxc - v.x) / d;
  let gc = (maxc - v.y) / d;
  let bc = (maxc - v.z) / d;
  var h: f32;
  if (maxc == v.x) { h = bc - gc; } else if (maxc == v.y) { h = 2.0 + rc - bc; } else { h = 4.0 + gc - rc; }
  h = fract(fract(h / 6.0 + 1.0) + shift + 1.0);
  let h6 = h * 6.0;
  let i = u32(floor(h6)) % 6u;
  let f = h6 - floor(h6);
  let val = maxc;
  let pp = clamp(val * (1.0 - s), 0.0, 1.0);
  let q = clamp(val * (1.0 - s * f), 0.0, 1.0);
  let t = clamp(val * (1.0 - s * (1.0 - f)), 0.0, 1.0);
  switch i {
    case 0u: { return vec3f(val, t, pp); }
    case 1u: { return vec3f(q, val, pp); }
    case 2u: { return vec3f(pp, val, t); }
    case 3u: { return vec3f(pp, q, val); }
    case 4u: { return vec3f(t, pp, val); }
    default: { return vec3f(val, pp, q); }
  }
}

// mean: the gray mean after brightness that contrast blends towards
fn jitter(v0: vec3f, o: u32, mean: f32) -> vec3f {
  var v = clamp(v0 * sp[o + 6u], vec3f(0.0), vec3f(1.0));                        // brightness
  let c = sp[o + 7u];
  v = clamp(c * v + (1.0 - c) * mean, vec3f(0.0), vec3f(1.0));                  // contrast
  if (C == 3u) {
    let sat = sp[o + 8u];
    v = clamp(sat * v + (1.0 - sat) * gray(v), vec3f(0.0), vec3f(1.0));         // saturation
    v = hue_shift(v, sp[o + 9u]);                                               // hue
  }
  return v;
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  let plane = p.oh * p.ow;
  if (i >= p.samples * plane) { return; }
  let s = i / plane;
  let y = (i % plane) / p.ow;
  let x = i % p.ow;
  let o = s * SLOTS;
  var v = colour(pixel(s, y, x), o, sp[o + 13u]);
  if (SOLARIZE == 1u) { v = solarize(v, o); }
  for (var c = 0u; c < C; c++) { out[(s * C + c) * plane + y * p.ow + x] = v[c]; }
}

// jitter (if drawn) → grayscale (if drawn), for sample parameters at o
fn colour(v0: vec3f, o: u32, mean: f32) -> vec3f {
  var v = v0;
  if (JITTER == 1u && sp[o + 5u] > 0.5) { v = jitter(v, o, mean); }
  if (GRAY == 1u && C == 3u && sp[o + 10u] > 0.5) { v = vec3f(gray(v)); }
  return v;
}

fn solarize(v: vec3f, o: u32) -> vec3f {
  if (sp[o + 12u] > 0.5) { return select(v, 1.0 - v, v >= vec3f(p.threshold)); }
  return v;
}

// One invocation per sample: a serial sum (row partials keep the f32 error near 2·√plane ulp)
// beats a workgroup tree reduction on CPU-backed adapters, where barriers are expensive.
@compute @workgroup_size(64)
fn stats(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let s = gid.x + gid.y * nwg.x * 64u;
  if (s >= p.samples) { return; }
  let o = s * SLOTS;
  if (sp[o + 5u] < 0.5) { return; }               // not jittered: the mean is never read
  let b = sp[o + 6u];
  var acc = 0.0;
  for (var y = 0u; y < p.oh; y++) {
    var row = 0.0;
    for (var x = 0u; x < p.ow; x++) { row += gray(clamp(pixel(s, y, x) * b, vec3f(0.0), vec3f(1.0))); }
    acc += row;
  }
  sp[o + 13u] = acc / f32(p.oh * p.ow);
}

// Workgroup s runs the pipeline for sample s (CPU-backed adapters gain most: the sample's
// parameters and blur taps sit at workgroup-uniform addresses, loaded once instead of per lane):
//   1. crop + flip every output pixel into ta, summing gray(clamp(brightness·v)) for contrast;
//   2. tree-reduce that sum to the mean; jitter + grayscale in place (each lane its own pixels);
//   3. blur (BLUR = 1): horizontal ta → tb, vertical tb → out, reflect padding, taps (S, K);
//      then solarize (SOLARIZE = 1).  ta, tb: (C, OH, OW) in workgroup memory, TILE ≥ C·OH·OW.
override BLUR: u32 = 0u;
override TILE: u32 = 1024u;
override WG: u32 = 32u;
@group(0) @binding(4) var<storage, read> taps: array<f32>;
var<workgroup> ta: array<f32, TILE>;
var<workgroup> tb: array<f32, TILE>;
var<workgroup> part: array<f32, WG>;

// (y, x) → the pixel WG further on in row-major order, given WG = dy·ow + dx
fn walk(y: ptr<function, u32>, x: ptr<function, u32>, dy: u32, dx: u32, ow: u32) {
  *x += dx;
  *y += dy;
  if (*x >= ow) { *x -= ow; *y += 1u; }
}

@compute @workgroup_size(WG)
fn sample(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let s = wid.x + wid.y * nwg.x;
  if (s >= p.samples) { return; }
  let ow = p.ow;
  let plane = p.oh * ow;
  let o = s * SLOTS;
  // each lane walks pixels lid, lid + WG, …; (y, x) advance by (dy, dx) with a carry, no division
  let dy = WG / ow;
  let dx = WG % ow;
  let y0 = lid / ow;
  let x0 = lid % ow;
  let b = sp[o + 6u];
  var acc = 0.0;
  var y = y0;
  var x = x0;
  for (var i = lid; i < plane; i += WG) {
    let v = pixel(s, y, x);
    for (var c = 0u; c < C; c++) { ta[c * plane + i] = v[c]; }
    if (JITTER == 1u) { acc += gray(clamp(v * b, vec3f(0.0), vec3f(1.0))); }
    walk(&y, &x, dy, dx, ow);
  }
  var mean = 0.0;
  if (JITTER == 1u) {
    part[lid] = acc;
    workgroupBarrier();
    for (var k = WG / 2u; k > 0u; k >>= 1u) {
      if (lid < k) { part[lid] += part[lid + k]; }
      workgroupBarrier();
    }
    mean = part[0] / f32(plane);
  }
  for (var i = lid; i < plane; i += WG) {
    var v = vec3f(0.0);
    for (var c = 0u; c < C; c++) { v[c] = ta[c * plane + i]; }
    v = colour(v, o, mean);
    if (BLUR == 1u) {
      for (var c = 0u; c < C; c++) { ta[c * plane + i] = v[c]; }
    } else {
      if (SOLARIZE == 1u) { v = solarize(v, o); }
      for (var c = 0u; c < C; c++) { out[(s * C + c) * plane + i] = v[c]; }
    }
  }
  if (BLUR == 0u) { return; }
  let blurred = sp[o + 11u] > 0.0;
  let r = i32(p.k - 1u) / 2;
  let tk = s * p.k;
  workgroupBarrier();
  if (blurred) {
    y = y0;
    x = x0;
    for (var i = lid; i < plane; i += WG) {
      let xi = i32(x);
      let interior = xi >= r && xi + r < i32(ow);
      for (var c = 0u; c < C; c++) {
        let row = c * plane + y * ow;
        var a = 0.0;
        if (interior) {
          for (var t = 0u; t < p.k; t++) { a += taps[tk + t] * ta[row + x + t - u32(r)]; }
        } else {
          for (var t = 0u; t < p.k; t++) { a += taps[tk + t] * ta[row + u32(reflect(xi + i32(t) - r, i32(ow)))]; }
        }
        tb[c * plane + i] = a;
      }
      walk(&y, &x, dy, dx, ow);
    }
  }
  workgroupBarrier();
  y = y0;
  x = x0;
  for (var i = lid; i < plane; i += WG) {
    let yi = i32(y);
    let interior = yi >= r && yi + r < i32(p.oh);
    var v = vec3f(0.0);
    for (var c = 0u; c < C; c++) {
      if (!blurred) {
        v[c] = ta[c * plane + i];
      } else if (interior) {
        var a = 0.0;
        for (var t = 0u; t < p.k; t++) { a += taps[tk + t] * tb[c * plane + i + (t - u32(r)) * ow]; }
        v[c] = a;
      } else {
        var a = 0.0;
        for (var t = 0u; t < p.k; t++) { a += taps[tk + t] * tb[c * plane + u32(reflect(yi + i32(t) - r, i32(p.oh))) * ow + x]; }
        v[c] = a;
      }
    }
    if (SOLARIZE == 1u) { v = solarize(v, o); }
    for (var c = 0u; c < C; c++) { out[(s * C + c) * plane + i] = v[c]; }
    walk(&y, &x, dy, dx, ow);
  }
}
