// Eval-mode batch norm + ReLU + K×K max pool of stride K (no padding, Ho = ⌊H/K⌋), one pass:
//   y[n, c, oh, ow] = max over kh, kw < K of max(0, a_c·x[n, c, oh·K + kh, ow·K + kw] + b_c)
//   a_c = gamma_c / sqrt(running_var_c + eps),  b_c = beta_c − running_mean_c·a_c
// (the same expression as batchnorm.wgsl's normalize, so the result equals the three passes
// bit for bit). One invocation per output element, flat index over a 2-D grid of 256-wide
// workgroups: x is read once and only the pooled map is written.

struct Params { planes: u32, c: u32, h: u32, w: u32, ho: u32, wo: u32, k: u32, eps: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;      // (N, C, H, W)
@group(0) @binding(2) var<storage, read> mean: array<f32>;   // running mean (C)
@group(0) @binding(3) var<storage, read> rvar: array<f32>;   // running var (C)
@group(0) @binding(4) var<storage, read> gamma: array<f32>;
@group(0) @binding(5) var<storage, read> beta: array<f32>;
@group(0) @binding(6) var<storage, read_write> y: array<f32>; // (N, C, Ho, Wo)

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  let hw_o = p.ho * p.wo;
  if (i >= p.planes * hw_o) { return; }
  let plane = i / hw_o;
  let c = plane % p.c;
  let a = inverseSqrt(rvar[c] + p.eps) * gamma[c];
  let b = beta[c] - mean[c] * a;
  let base = plane * p.h * p.w + (i % hw_o / p.wo) * p.k * p.w + (i % p.wo) * p.k;
  var best = 0.0; // the ReLU's floor: every candidate is max(0, ·)
  for (var r = 0u; r < p.k; r++) {
    for (var s = 0u; s < p.k; s++) { best = max(best, x[base + r * p.w + s] * a + b); }
  }
  y[i] = best;
}
