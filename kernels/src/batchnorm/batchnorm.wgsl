// Batch norm over (N, C, HW) (HW = H·W, or 1 for (N, C) input), per channel c, M = N·HW:
//   training: mean_c = Σ x / M,  var_c = Σ (x − mean_c)² / M  (biased, for normalising)
//             invstd_c = 1 / sqrt(var_c + eps)
//             running_mean ← (1 − momentum)·running_mean + momentum·mean_c
//             running_var  ← (1 − momentum)·running_var  + momentum·var_c·M/(M − 1)  (unbiased)
//   eval:     mean_c = running_mean, invstd_c = 1 / sqrt(running_var + eps)
//   y = (x − mean_c)·invstd_c·gamma_c + beta_c,   with relu: y = max(0, ·)
// Backward (training), xhat = (x − mean_c)·invstd_c, with relu dy ← dy·[xhat·gamma_c + beta_c > 0]
// (the mask recomputed from x, so the fused op reads no more than batch norm alone):
//   dbeta_c = Σ dy,  dgamma_c = Σ dy·xhat
//   dx = gamma_c·invstd_c/M · (M·dy − dbeta_c − xhat·dgamma_c)
// stats, backward_params: one workgroup per channel (wid.x = c), lanes stride the channel's
// N·HW elements and reduce through workgroup memory (stats in one pass, merging (count, mean,
// M2)). normalize, backward_dx: PER elements per invocation over a 2-D grid. Bindings are per entry point (1, 2, … in launcher order).

// flag: stats: update the running stats; normalize: bit 0 eval mode, bit 1 relu; backward: bit 1 relu
struct Params { n: u32, c: u32, hw: u32, eps: f32, momentum: f32, flag: u32 }
const RELU = 2u;
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>; // (N, C, HW), every entry point
// stats (flag: update the running stats)
@group(0) @binding(2) var<storage, read_write> running_mean: array<f32>;
@group(0) @binding(3) var<storage, read_write> running_var: array<f32>;
@group(0) @binding(4) var<storage, read_write> save_mean: array<f32>;
@group(0) @binding(5) var<storage, read_write> save_invstd: array<f32>;
@group(0) @binding(6) var<storage, read> x4: array<vec4f>;           // = x
// normalize (flag: eval mode, `scale` holds running_var instead of invstd)
@group(0) @binding(2) var<storage, read> mean: array<f32>;
@group(0) @binding(3) var<storage, read> scale: array<f32>;
@group(0) @binding(4) var<storage, read> gamma: array<f32>;
@group(0) @binding(5) var<storage, read> beta: array<f32>;
@group(0) @binding(6) var<storage, read_write> y: array<f32>;
// backward_params and backward_dx
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read> bmean: array<f32>;
@group(0) @binding(4) var<storage, read> binvstd: array<f32>;
@group(0) @binding(5) var<storage, read_write> dgamma: array<f32>; // backward_params writes
@group(0) @binding(6) var<storage, read_write> dbeta: array<f32>;
@group(0) @binding(5) var<storage, read> bgamma: array<f32>;       // backward_dx reads
@group(0) @binding(6) var<storage, read> sum_dyx: array<f32>;      // = dgamma
@group(0) @binding(7) var<storage, read> sum_dy: array<f32>;       // = dbeta
@group(0) @binding(8) var<storage, read_write> dx: array<f32>;
@group(0) @binding(7) var<storage, read> pgamma: array<f32>;       // backward_params: gamma, beta for the
@group(0) @binding(8) var<storage, read> pbeta: array<f32>;        //   relu mask (any buffers without relu)
@group(0) @binding(9) var<storage, read> xbeta: array<f32>;        // backward_dx: beta for the mask

const WG = 64u;
var<workgroup> red: array<vec2f, WG>;

fn wg_sum(lid: u32, v: vec2f) -> vec2f {
  red[lid] = v;
  workgroupBarrier();
  for (var k = WG / 2u; k > 0u; k >>= 1u) {
    if (lid < k) { red[lid] += red[lid + k]; }
    workgroupBarrier();
  }
  let s = red[0];
  workgroupBarrier();
  return s;
}

// (Σ dy·xhat, Σ dy) over channel c's M = N·HW elements, this lane's share, dy masked by the fused
// relu (ab = the forward's affine map, norm_coef): lanes stride each plane when planes are at
// least WG/2 wide (no per-element division), else the flat range.
fn grad_sum(c: u32, lid: u32, mu: f32, is: f32, ab: vec2f) -> vec2f {
  var s = vec2f(0.0);
  if (2u * p.hw >= WG) {
    for (var n = 0u; n < p.n; n++) {
      let base = (n * p.c + c) * p.hw;
      for (var j = lid; j < p.hw; j += WG) { s += grad_terms(base + j, mu, is, ab); }
    }
  } else {
    for (var i = lid; i < p.n * p.hw; i += WG) { s += grad_terms(at(c, i), mu, is, ab); }
  }
  return s;
}

fn grad_terms(k: u32, mu: f32, is: f32, ab: vec2f) -> vec2f {
  let g = relu_grad(dy[k], x[k], ab);
  return vec2f(g * (x[k] - mu) * is, g);
}

// dy where the fused relu passed its input (x·a + b > 0, the forward's own expression), else 0
fn relu_grad(d: f32, xv: f32, ab: vec2f) -> f32 {
  return select(d, select(0.0, d, xv * ab.x + ab.y > 0.0), (p.flag & RELU) != 0u);
}

// element i of channel c's M = N·HW elements
fn at(c: u32, i: u32) -> u32 { return (i / p.hw * p.c + c) * p.hw + i % p.hw; }

// (count, mean, M2 = Σ (x − mean)²) of two disjoint parts merged (Chan et al.)
fn merge(a: vec3f, b: vec3f) -> vec3f {
  let n = a.x + b.x;
  if (n == 0.0) { return a; }
  let d = b.y - a.y;
  let f = b.x / n;
  return vec3f(n, a.y + d * f, a.z + b.z + d * d * a.x * f);
}

var<workgroup> red3: array<vec3f, WG>;

// One pass over channel c: each lane sums d = x − shift and d² (shift: the first value it reads,
// so that the sums do not cancel), a vec4 at a time when planes are whole vec4s (HW % 4 == 0: x4 is
// x, bound again as vec4s), turns them into (count, mean, M2) and the lanes merge those.
@compute @workgroup_size(WG)
fn stats(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let c = wid.x;
  var s1 = vec4f(0.0);
  var s2 = vec4f(0.0);
  var shift = 0.0;
  var cnt = 0u;
  if (p.hw % 4u == 0u) {
    let hw4 = p.hw / 4u;
    var n = lid / hw4;
    var j = lid % hw4;
    if (n < p.n) { shift = x4[(n * p.c + c) * hw4 + j].x; }
    while (n < p.n) {
      let d = x4[(n * p.c + c) * hw4 + j] - shift;
      s1 += d;
      s2 += d * d;
      cnt += 4u;
      j += WG; // next: WG vec4s on, across planes (a loop of at most ⌈WG / hw4⌉ steps, no division)
      while (j >= hw4) { j -= hw4; n += 1u; }
    }
  } else {
    if (lid < p.n * p.hw) { shift = x[at(c, lid)]; }
    for (var i = lid; i < p.n * p.hw; i += WG) {
      let d = x[at(c, i)] - shift;
      s1.x += d;
      s2.x += d * d;
      cnt += 1u;
    }
  }
  let cf = f32(cnt);
  let t1 = s1.x + s1.y + s1.z + s1.w;
  let t2 = s2.x + s2.y + s2.z + s2.w;
  var a = vec3f(0.0);
  if (cnt > 0u) { a = vec3f(cf, shift + t1 / cf, max(t2 - t1 * t1 / cf, 0.0)); }
  red3[lid] = a;
  workgroupBarrier();
  for (var k = WG / 2u; k > 0u; k >>= 1u) {
    if (lid < k) { red3[lid] = merge(red3[lid], red3[lid + k]); }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let m = red3[0].x;
    let mu = red3[0].y;
    let v = red3[0].z / m;
    save_mean[c] = mu;
    save_invstd[c] = inverseSqrt(v + p.eps);
    if (p.flag != 0u) {
      running_mean[c] = (1.0 - p.momentum) * running_mean[c] + p.momentum * mu;
      running_var[c] = (1.0 - p.momentum) * running_var[c] + p.momentum * v * m / (m - 1.0);
    }
  }
}

// normalize, backward_dx: invocation t handles the PER consecutive elements from t·PER, with the
// per-channel affine coefficients reloaded only where a plane starts.
const PER = 8u;

// y = a·x + b:  a = invstd·gamma, b = beta − mean·a
fn norm_coef(c: u32) -> vec2f {
  let s = select(scale[c], inverseSqrt(scale[c] + p.eps), (p.flag & 1u) != 0u);
  let a = s * gamma[c];
  return vec2f(a, beta[c] - mean[c] * a);
}

@compute @workgroup_size(WG)
fn normalize(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i0 = (gid.x + gid.y * nwg.x * WG) * PER;
  let total = p.n * p.c * p.hw;
  if (i0 >= total) { return; }
  var ab = norm_coef(i0 / p.hw % p.c);
  var left = p.hw - i0 % p.hw; // elements left in the current plane
  for (var i = i0; i < min(i0 + PER, total); i++) {
    if (left == 0u) { ab = norm_coef(i / p.hw % p.c); left = p.hw; }
    let v = x[i] * ab.x + ab.y;
    y[i] = select(v, max(v, 0.0), (p.flag & RELU) != 0u);
    left -= 1u;
  }
}

@compute @workgroup_size(WG)
fn backward_params(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let c = wid.x;
  let a = binvstd[c] * pgamma[c];
  let t = wg_sum(lid, grad_sum(c, lid, bmean[c], binvstd[c], vec2f(a, pbeta[c] - bmean[c] * a)));
  if (lid == 0u) { dgamma[c] = t.x; dbeta[c] = t.y; }
}

// dx = k.x·dy + k.y·x + k.z:  k1 = gamma·invstd, k2 = −k1·invstd·Σ(dy·xhat)/M,
// k3 = −k1·Σdy/M − k2·mean  (the backward formula above, expanded in x and dy);
// k.w = beta − mean·k1, so (k1, k.w) is the forward's affine map for the relu mask
fn dx_coef(c: u32) -> vec4f {
  let m = f32(p.n * p.hw);
  let is = binvstd[c];
  let k1 = bgamma[c] * is;
  let k2 = -k1 * is * sum_dyx[c] / m;
  return vec4f(k1, k2, -k1 * sum_dy[c] / m - k2 * bmean[c], xbeta[c] - bmean[c] * k1);
}

@compute @workgroup_size(WG)
fn backward_dx(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i0 = (gid.x + gid.y * nwg.x * WG) * PER;
  let total = p.n * p.c * p.hw;
  if (i0 >= total) { return; }
  var k = dx_coef(i0 / p.hw % p.c);
  var left = p.hw - i0 % p.hw;
  for (var i = i0; i < min(i0 + PER, total); i++) {
    if (left == 0u) { k = dx_coef(i / p.hw % p.c); left = p.hw; }
    let xv = x[i];
    dx[i] = k.x * relu_grad(dy[i], xv, k.xw) + k.y * xv + k.z;
    left -= 1u;
  }
}
