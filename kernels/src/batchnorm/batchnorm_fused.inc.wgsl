// Shared by batchnorm_pool.wgsl, batchnorm_pool2.wgsl and batchnorm_gap.wgsl (batch norm + ReLU +
// a pooling, one pass each way): the per-channel bindings, the affine map v = a_c·x + b_c, dx's
// coefficients and backward_params' workgroup sum. The includer declares Params (with eps and
// flag), x (binding 1), y or dy (6) and dx (9).
@group(0) @binding(2) var<storage, read> mean: array<f32>;  // (C) batch or running mean
@group(0) @binding(3) var<storage, read> scale: array<f32>; // (C) invstd, or running var (flag EVAL)
@group(0) @binding(4) var<storage, read> gamma: array<f32>;
@group(0) @binding(5) var<storage, read> beta: array<f32>;
@group(0) @binding(7) var<storage, read_write> dgamma: array<f32>; // backward_params writes
@group(0) @binding(8) var<storage, read_write> dbeta: array<f32>;
@group(0) @binding(7) var<storage, read> sum_dyx: array<f32>;      // backward_dx reads (= dgamma)
@group(0) @binding(8) var<storage, read> sum_dy: array<f32>;       // (= dbeta)

const EVAL = 1u; // flag bit 0: eval mode

// (a_c, b_c): training a = invstd·gamma, eval a = gamma / sqrt(running_var + eps); b = beta − mean·a
fn coef(c: u32) -> vec2f {
  let s = select(scale[c], inverseSqrt(scale[c] + p.eps), (p.flag & EVAL) != 0u);
  let a = s * gamma[c];
  return vec2f(a, beta[c] - mean[c] * a);
}

// x̂ = (x − mean_c)·invstd_c (training)
fn xhat(c: u32, x: f32) -> f32 { return (x - mean[c]) * scale[c]; }

// dx = k.x·g + k.y·x + k.z over the channel's m = N·H·W elements (batchnorm.wgsl's dx_coef)
fn dx_coef(c: u32, m: f32) -> vec3f {
  let is = scale[c];
  let k1 = gamma[c] * is;
  let k2 = -k1 * is * sum_dyx[c] / m;
  return vec3f(k1, k2, -k1 * sum_dy[c] / m - k2 * mean[c]);
}

const WG = 64u;
var<workgroup> red: array<vec2f, WG>;

// backward_params' end: the lanes' (Σ g·xhat, Σ g) summed; lane 0 writes (dgamma_c, dbeta_c)
fn write_params(c: u32, lid: u32, s: vec2f) {
  red[lid] = s;
  workgroupBarrier();
  for (var k = WG / 2u; k > 0u; k >>= 1u) {
    if (lid < k) { red[lid] += red[lid + k]; }
    workgroupBarrier();
  }
  if (lid == 0u) { dgamma[c] = red[0].x; dbeta[c] = red[0].y; }
}

// invocation index over a 2-D grid of 64-wide workgroups
fn flat(gid: vec3u, nwg: vec3u) -> u32 { return gid.x + gid.y * nwg.x * 64u; }
