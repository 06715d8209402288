// Batch norm + ReLU + global average pool over each H×W plane (HW = H·W), one pass each way.
// Per channel c, v = a_c·x + b_c as in batchnorm_pool.wgsl (training: batch stats; eval: running):
//   forward:  y[n, c] = Σ_HW max(0, v) / HW           (x read once, only y written)
// Backward, the ReLU mask recomputed from x: batch norm's output gradient is g = dy[n, c]/HW where
// v > 0, else 0:
//   backward_params: dbeta_c = Σ g, dgamma_c = Σ g·xhat; one workgroup per channel, lanes over n
//   backward_dx:     dx = k1·g + k2·x + k3 (batchnorm.wgsl's dx_coef)
// forward and backward_dx: one invocation per plane (n, c). Bindings are per entry point.

// flag: bit 0 eval (`scale` holds running_var instead of invstd)
struct Params { n: u32, c: u32, hw: u32, eps: f32, flag: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;     // (N, C, H, W), every entry point
@group(0) @binding(2) var<storage, read> mean: array<f32>;  // (C) batch or running mean
@group(0) @binding(3) var<storage, read> scale: array<f32>; // (C) invstd or running var
@group(0) @binding(4) var<storage, read> gamma: array<f32>;
@group(0) @binding(5) var<storage, read> beta: array<f32>;
@group(0) @binding(6) var<storage, read_write> y: array<f32>; // forward: (N, C)
@group(0) @binding(6) var<storage, read> dy: array<f32>;      // backward: (N, C)
@group(0) @binding(7) var<storage, read_write> dgamma: array<f32>; // backward_params writes
@group(0) @binding(8) var<storage, read_write> dbeta: array<f32>;
@group(0) @binding(7) var<storage, read> sum_dyx: array<f32>;      // backward_dx reads (= dgamma)
@group(0) @binding(8) var<storage, read> sum_dy: array<f32>;       // (= dbeta)
@group(0) @binding(9) var<storage, read_write> dx: array<f32>;     // (N, C, H, W)

const EVAL = 1u;

// (a_c, b_c)
fn coef(c: u32) -> vec2f {
  let s = select(scale[c], inverseSqrt(scale[c] + p.eps), (p.flag & EVAL) != 0u);
  let a = s * gamma[c];
  return vec2f(a, beta[c] - mean[c] * a);
}

fn flat(gid: vec3u, nwg: vec3u) -> u32 { return gid.x + gid.y * nwg.x * 64u; }

@compute @workgroup_size(64)
fn forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let t = flat(gid, nwg);
  if (t >= p.n * p.c) { return; }
  let ab = coef(t % p.c);
  var s = 0.0;
  for (var i = t * p.hw; i < (t + 1u) * p.hw; i++) { s += max(x[i] * ab.x + ab.y, 0.0); }
  y[t] = s / f32(p.hw);
}

const WG = 64u;
var<workgroup> red: array<vec2f, WG>;

@compute @workgroup_size(WG)
fn backward_params(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let c = wid.x;
  let ab = coef(c);
  let mu = mean[c];
  let is = scale[c];
  var s = vec2f(0.0);
  for (var n = lid; n < p.n; n += WG) {
    let t = n * p.c + c;
    let g = dy[t] / f32(p.hw);
    var sx = 0.0; // Σ xhat where the ReLU passed
    var k = 0.0;  // how many passed
    for (var i = t * p.hw; i < (t + 1u) * p.hw; i++) {
      let xv = x[i];
      let on = xv * ab.x + ab.y > 0.0;
      sx += select(0.0, (xv - mu) * is, on);
      k += select(0.0, 1.0, on);
    }
    s += g * vec2f(sx, k);
  }
  red[lid] = s;
  workgroupBarrier();
  for (var k = WG / 2u; k > 0u; k >>= 1u) {
    if (lid < k) { red[lid] += red[lid + k]; }
    workgroupBarrier();
  }
  if (lid == 0u) { dgamma[c] = red[0].x; dbeta[c] = red[0].y; }
}

@compute @workgroup_size(64)
fn backward_dx(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let t = flat(gid, nwg);
  if (t >= p.n * p.c) { return; }
  let c = t % p.c;
  let ab = coef(c);
  let m = f32(p.n * p.hw);
  let is = scale[c];
  let k1 = gamma[c] * is;
  let k2 = -k1 * is * sum_dyx[c] / m;
  let k3 = -k1 * sum_dy[c] / m - k2 * mean[c];
  let g = k1 * dy[t] / f32(p.hw);
  for (var i = t * p.hw; i < (t + 1u) * p.hw; i++) {
    let xv = x[i];
    dx[i] = select(0.0, g, xv * ab.x + ab.y > 0.0) + k2 * xv + k3;
  }
}
