// One axis of a separable gaussian blur with a per-sample σ (torchvision GaussianBlur):
//   y[s, c, i, j] = Σ_t taps[s, t] · x[s, c, reflect(i + t − r), j]      (AXIS = 1, vertical)
//   taps[s, t] ∝ exp(−(t − r)² / (2σ²)), t = 0..K−1, r = (K − 1)/2, normalised to sum 1 (the
//   launcher computes them once per sample); σ = sp[s, 11] = 0 copies.
// reflect() comes from reflect.inc.wgsl. SOLARIZE (vertical pass only)
// fuses the solarize that follows the blur in a pipeline.  x, y: (S, C, H, W);  sp: (S, 16);  taps: (S, K).

// #include "reflect.inc.wgsl"

override AXIS: u32 = 0u;
override SOLARIZE: u32 = 0u;

struct Params { samples: u32, c: u32, h: u32, w: u32, k: u32, threshold: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> sp: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<storage, read> taps: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let idx = gid.x + gid.y * nwg.x * 256u;
  let plane = p.h * p.w;
  if (idx >= p.samples * p.c * plane) { return; }
  let s = idx / (p.c * plane);
  let i = i32((idx % plane) / p.w);
  let j = i32(idx % p.w);
  var v = x[idx];
  if (sp[s * 16u + 11u] > 0.0) {
    let r = i32(p.k - 1u) / 2;
    let tb = s * p.k;
    // along the axis: position q of n, elements `stride` apart, q = 0 at `origin`
    var q = j;
    var n = i32(p.w);
    var stride = 1;
    if (AXIS == 1u) { q = i; n = i32(p.h); stride = i32(p.w); }
    let origin = i32(idx) - q * stride;
    var acc = 0.0;
    if (q >= r && q + r < n) {                       // interior: no reflection
      var at = i32(idx) - r * stride;
      for (var t = 0u; t < p.k; t++) { acc += taps[tb + t] * x[at]; at += stride; }
    } else {
      for (var t = 0; t < i32(p.k); t++) { acc += taps[tb + u32(t)] * x[origin + reflect(q + t - r, n) * stride]; }
    }
    v = acc;
  }
  if (SOLARIZE == 1u && sp[s * 16u + 12u] > 0.5 && v >= p.threshold) { v = 1.0 - v; }
  y[idx] = v;
}
