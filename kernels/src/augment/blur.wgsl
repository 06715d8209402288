// One axis of a separable gaussian blur with a per-sample σ (torchvision GaussianBlur):
//   y[s, c, i, j] = Σ_t w_t · x[s, c, reflect(i + t − r), j] / Σ_t w_t      (AXIS = 1, vertical)
//   w_t = exp(−(t − r)² / (2σ²)),  t = 0..K−1,  r = (K − 1)/2,  σ = sp[s, 11]; σ = 0 copies.
// reflect() mirrors without repeating the edge (padding_mode 'reflect'), folded again for
// images smaller than the kernel. SOLARIZE (vertical pass only) fuses the solarize that
// follows the blur in a pipeline.  x, y: (S, C, H, W);  sp: (S, 16).

override AXIS: u32 = 0u;
override SOLARIZE: u32 = 0u;

struct Params { samples: u32, c: u32, h: u32, w: u32, k: u32, threshold: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> sp: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;

fn reflect(i: i32, n: i32) -> i32 {
  if (n == 1) { return 0; }
  let period = 2 * (n - 1);
  var j = abs(i) % period;
  if (j >= n) { j = period - j; }
  return j;
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let idx = gid.x + gid.y * nwg.x * 256u;
  let plane = p.h * p.w;
  if (idx >= p.samples * p.c * plane) { return; }
  let s = idx / (p.c * plane);
  let base = idx - idx % plane;
  let i = i32((idx % plane) / p.w);
  let j = i32(idx % p.w);
  let sigma = sp[s * 16u + 11u];
  var v = x[idx];
  if (sigma > 0.0) {
    let r = i32(p.k - 1u) / 2;
    let g = -0.5 / (sigma * sigma);
    var acc = 0.0;
    var norm = 0.0;
    for (var t = -r; t <= r; t++) {
      let wt = exp(g * f32(t * t));
      var at: u32;
      if (AXIS == 0u) { at = base + u32(i) * p.w + u32(reflect(j + t, i32(p.w))); }
      else { at = base + u32(reflect(i + t, i32(p.h))) * p.w + u32(j); }
      acc += wt * x[at];
      norm += wt;
    }
    v = acc / norm;
  }
  if (SOLARIZE == 1u && sp[s * 16u + 12u] > 0.5 && v >= p.threshold) { v = 1.0 - v; }
  y[idx] = v;
}
