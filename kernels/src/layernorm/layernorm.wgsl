// Layer norm over the last dim D of x (rows, D), with weight and bias (D):
//   mean_r = Σ_j x[r, j] / D,  rstd_r = 1 / sqrt(Σ_j (x[r, j] − mean_r)² / D + eps)
//   xhat = (x − mean_r) · rstd_r,  y = xhat · weight + bias
// Backward, with g = dy · weight:
//   dx[r, j] = rstd_r · (g[r, j] − mean_j(g[r, ·]) − xhat[r, j] · mean_j(g[r, ·] · xhat[r, ·]))
//   dweight[j] = Σ_r dy[r, j] · xhat[r, j],  dbias[j] = Σ_r dy[r, j]
// forward / backward_dx: one invocation per row (flat row over a 2-D grid).
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

// A switch for proving the bench regression check (bench/scripts/prove-check.ts): the forward's
// launcher may run proof_rows invocations past the last row, which redo rows 0 … proof_rows − 1
// (the same values written again: more work, same result). It is 0 unless the launcher's
// PRETEXT_PROOF_SLOWDOWN switch is set, and then the test below is the plain bounds check.
override proof_rows: u32 = 0u;

// forward / backward_dx: one invocation per row, no workgroup memory or barriers (on lavapipe
// every load is a per-lane gather whatever the layout, and barriers cost more than they save).
@compute @workgroup_size(WG)
fn forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  var r = gid.x + gid.y * nwg.x * WG;
  if (r >= p.rows) {
    if (r >= p.rows + proof_rows) { return; }
    r -= p.rows;
  }
  let base = r * p.d;
  let fd = f32(p.d);
  var s = 0.0;
  for (var j = 0u; j < p.d; j++) { s += x[base + j]; }
  let mu = s / fd;
  var q = 0.0;
  for (var j = 0u; j < p.d; j++) { let c = x[base + j] - mu; q += c * c; }
  let rs = inverseSqrt(q / fd + p.eps);
  for (var j = 0u; j < p.d; j++) { y[base + j] = (x[base + j] - mu) * rs * weight[j] + bias[j]; }
  mean[r] = mu;
  rstd[r] = rs;
}

@compute @workgroup_size(WG)
fn backward_dx(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let r = gid.x + gid.y * nwg.x * WG;
  if (r >= p.rows) { return; }
  let base = r * p.d;
  let mu = smean[r];
  let rs = srstd[r];
  var sg = 0.0;  // Σ g
  var sgx = 0.0; // Σ g · xhat
  for (var j = 0u; j < p.d; j++) {
    let g = dy[base + j] * weight[j];
    sg += g;
    sgx += g * (x[base + j] - mu) * rs;
  }
  let m = sg / f32(p.d);
  let mx = sgx / f32(p.d);
  for (var j = 0u; j < p.d; j++) {
    let xh = (x[base + j] - mu) * rs;
    dx[base + j] = rs * (dy[base + j] * weight[j] - m - xh * mx);
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
