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
@group(0) @binding(6) var<storage, read_write> y: array<f32>; // forward: (N, C)
@group(0) @binding(6) var<storage, read> dy: array<f32>;      // backward: (N, C)
@group(0) @binding(9) var<storage, read_write> dx: array<f32>; // (N, C, H, W)
// #include "batchnorm_fused.inc.wgsl"

@compute @workgroup_size(64)
fn forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let t = flat(gid, nwg);
  if (t >= p.n * p.c) { return; }
  let ab = coef(t % p.c);
  var s = 0.0;
  for (var i = t * p.hw; i < (t + 1u) * p.hw; i++) { s += max(x[i] * ab.x + ab.y, 0.0); }
  y[t] = s / f32(p.hw);
}

@compute @workgroup_size(WG)
fn backward_params(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let c = wid.x;
  let ab = coef(c);
  var s = vec2f(0.0);
  for (var n = lid; n < p.n; n += WG) {
    let t = n * p.c + c;
    let g = dy[t] / f32(p.hw);
    var sx = 0.0; // Σ xhat where the ReLU passed
    var on_count = 0.0; // how many passed
    for (var i = t * p.hw; i < (t + 1u) * p.hw; i++) {
      let xv = x[i];
      let on = xv * ab.x + ab.y > 0.0;
      sx += select(0.0, xhat(c, xv), on);
      on_count += select(0.0, 1.0, on);
    }
    s += g * vec2f(sx, on_count);
  }
  write_params(c, lid, s);
}

@compute @workgroup_size(64)
fn backward_dx(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let t = flat(gid, nwg);
  if (t >= p.n * p.c) { return; }
  let c = t % p.c;
  let ab = coef(c);
  let k = dx_coef(c, f32(p.n * p.hw));
  let g = k.x * dy[t] / f32(p.hw);
  for (var i = t * p.hw; i < (t + 1u) * p.hw; i++) {
    let xv = x[i];
    dx[i] = select(0.0, g, xv * ab.x + ab.y > 0.0) + k.y * xv + k.z;
  }
}
