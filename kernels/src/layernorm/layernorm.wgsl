// Layer norm over the last dim D of x (rows, D), with weight and bias (D):
//   mean_r = Σ_j x[r, j] / D,  rstd_r = 1 / sqrt(Σ_j (x[r, j] − mean_r)² / D + eps)
//   xhat = (x − mean_r) · rstd_r,  y = xhat · weight + bias
// Backward, with g = dy · weight:
//   dx[r, j] = rstd_r · (g[r, j] − mean_j(g[r, ·]) − xhat[r, j] · mean_j(g[r, ·] · xhat[r, ·]))
//   dweight[j] = Σ_r dy[r, j] · xhat[r, j],  dbias[j] = Σ_r dy[r, j]
// forward / backward_dx: one workgroup of 64 per row (flat row = wid.x + wid.y · nwg.x),
// lanes stride the row and reduce through workgroup memory.
// backward_params: invocation j owns column j of chunk s of the rows and writes the partial
// sums dw[s, j], db[s, j]; the launcher adds the S chunks with reduce (no atomics anywhere).

// Bindings are per entry point (each numbers its own buffers 1, 2, … in launcher order).
struct Params { rows: u32, d: u32, eps: f32, chunk: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;        // (rows, D), every entry point
// forward
@group(0) @binding(2) var<storage, read> weight: array<f32>;   // (D), also backward_dx
@group(0) @binding(3) var<storage, read> bias: array<f32>;     // (D)
@group(0) @binding(4) var<storage, read_write> y: array<f32>;  // (rows, D)
@group(0) @binding(5) var<storage, read_write> mean: array<f32>; // (rows)
@group(0) @binding(6) var<storage, read_write> rstd: array<f32>; // (rows)
// backward_dx
@group(0) @binding(3) var<storage, read> dy: array<f32>;       // (rows, D)
@group(0) @binding(4) var<storage, read> smean: array<f32>;
@group(0) @binding(5) var<storage, read> srstd: array<f32>;
@group(0) @binding(6) var<storage, read_write> dx: array<f32>;
// backward_params: partial sums over the rows of chunk s = wid.y
@group(0) @binding(2) var<storage, read> bp_dy: array<f32>;
@group(0) @binding(3) var<storage, read> bp_mean: array<f32>;
@group(0) @binding(4) var<storage, read> bp_rstd: array<f32>;
@group(0) @binding(5) var<storage, read_write> bp_dw: array<f32>; // (S, D)
@group(0) @binding(6) var<storage, read_write> bp_db: array<f32>; // (S, D)

const WG = 64u;
var<workgroup> red: array<vec2f, WG>;

// sums v over the workgroup (every lane gets the total)
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

@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = wid.x + wid.y * nwg.x;
  if (r >= p.rows) { return; } // uniform per workgroup
  let base = r * p.d;
  let fd = f32(p.d);
  var s = 0.0;
  for (var j = lid; j < p.d; j += WG) { s += x[base + j]; }
  let mu = wg_sum(lid, vec2f(s, 0.0)).x / fd;
  var q = 0.0;
  for (var j = lid; j < p.d; j += WG) { let c = x[base + j] - mu; q += c * c; }
  let rs = inverseSqrt(wg_sum(lid, vec2f(q, 0.0)).x / fd + p.eps);
  for (var j = lid; j < p.d; j += WG) { y[base + j] = (x[base + j] - mu) * rs * weight[j] + bias[j]; }
  if (lid == 0u) { mean[r] = mu; rstd[r] = rs; }
}

@compute @workgroup_size(WG)
fn backward_dx(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = wid.x + wid.y * nwg.x;
  if (r >= p.rows) { return; }
  let base = r * p.d;
  let mu = smean[r];
  let rs = srstd[r];
  var s = vec2f(0.0); // (Σ g, Σ g · xhat)
  for (var j = lid; j < p.d; j += WG) {
    let g = dy[base + j] * weight[j];
    s += vec2f(g, g * (x[base + j] - mu) * rs);
  }
  let m = wg_sum(lid, s) / f32(p.d);
  for (var j = lid; j < p.d; j += WG) {
    let g = dy[base + j] * weight[j];
    let xh = (x[base + j] - mu) * rs;
    dx[base + j] = rs * (g - m.x - xh * m.y);
  }
}

@compute @workgroup_size(WG)
fn backward_params(@builtin(global_invocation_id) gid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let j = gid.x;
  if (j >= p.d) { return; }
  let s = wid.y;
  var dw = 0.0;
  var db = 0.0;
  for (var r = s * p.chunk; r < min((s + 1u) * p.chunk, p.rows); r++) {
    let g = bp_dy[r * p.d + j];
    dw += g * (x[r * p.d + j] - bp_mean[r]) * bp_rstd[r];
    db += g;
  }
  bp_dw[s * p.d + j] = dw;
  bp_db[s * p.d + j] = db;
}
