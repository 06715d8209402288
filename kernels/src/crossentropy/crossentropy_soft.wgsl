// Cross-entropy against soft targets given sparsely, with a weight per row: logits x (N, C, S)
// with the classes on axis 1 (PyTorch's (N, C, d₁, …) layout; S = d₁·…, 1 for (N, C)); row
// r = n·S + s holds x[n, ·, s]. Its target is K (class, probability) pairs idx[n, k, s],
// q[n, k, s] (a class may repeat: its probabilities add), weight w[n, s] (1 without weights):
//   lse_r = log Σ_j e^{x_rj},  ℓ_r = w_r·(Σ_k q_rk·lse_r − Σ_k q_rk·x_{r, idx_rk})  (= −w_r Σ_k q_rk log p_{r, idx_rk})
//   loss = Σ_r ℓ_r / R (mean over the R = N·S rows) or Σ_r ℓ_r (sum)
//   accuracy = #{r : argmax_j x_rj = idx_r0} / R (ties to the lowest class): the first target
//              class is the row's most likely one by convention (softassign's nearest codeword)
//   dx_rj = g·w_r·(Σ_k q_rk·e^{x_rj − lse_r} − Σ_{k: idx_rk = j} q_rk),  g = dloss / R (mean) or dloss
// A class index outside [0, C) makes its row's ℓ and gradient NaN (the loss turns NaN, never
// silently wrong). One invocation per row: consecutive rows are consecutive s, so a class
// column of x is read contiguously across the invocations of a SIMD lane group.
//   rows:     lse[r], ℓ[r], hit[r]
//   reduce:   one workgroup: loss and accuracy into 1-element buffers
//   backward: dx, the row's softmax part first, then the K target terms into the row it owns

override WG: u32 = 256u;
override MEAN: bool = true;

struct Params { rows: u32, C: u32, K: u32, S: u32, has_weight: u32 }
@group(0) @binding(0) var<uniform> p: Params;

// ---- rows -------------------------------------------------------------------------------
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> idx: array<i32>;
@group(0) @binding(3) var<storage, read> q: array<f32>;
@group(0) @binding(4) var<storage, read> w: array<f32>;   // (N·S); any buffer without weights
@group(0) @binding(5) var<storage, read_write> lse: array<f32>;
@group(0) @binding(6) var<storage, read_write> row_loss: array<f32>;
@group(0) @binding(7) var<storage, read_write> hit: array<f32>;

// #include "crossentropy.inc.wgsl"

// first element of row r in x (stride S between classes) and in idx/q (stride S between pairs)
fn x_base(r: u32) -> u32 { return r / p.S * p.C * p.S + r % p.S; }
fn t_base(r: u32) -> u32 { return r / p.S * p.K * p.S + r % p.S; }

@compute @workgroup_size(64)
fn rows(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let r = gid.x + gid.y * nwg.x * 64u;
  if (r >= p.rows) { return; }
  let xb = x_base(r);
  var m = NEG_INF;
  var arg = 0u;
  for (var j = 0u; j < p.C; j++) {
    let v = x[xb + j * p.S];
    if (v > m) { m = v; arg = j; }
  }
  var e = 0.0;
  for (var j = 0u; j < p.C; j++) { e += exp(x[xb + j * p.S] - m); }
  let l = m + log(e);
  let tb = t_base(r);
  var qsum = 0.0;
  var qx = 0.0;
  var bad = false;
  for (var k = 0u; k < p.K; k++) {
    let c = idx[tb + k * p.S];
    let qk = q[tb + k * p.S];
    bad = bad || c < 0 || u32(c) >= p.C;
    qsum += qk;
    qx += qk * x[xb + u32(clamp(c, 0, i32(p.C) - 1)) * p.S];
  }
  let wr = select(1.0, w[r], p.has_weight != 0u);
  lse[r] = l;
  row_loss[r] = select(wr * (qsum * l - qx), nan_f32(), bad);
  hit[r] = select(0.0, 1.0, i32(arg) == idx[tb]);
}

// ---- reduce -----------------------------------------------------------------------------
@group(0) @binding(1) var<storage, read> r_loss: array<f32>;
@group(0) @binding(2) var<storage, read> r_hit: array<f32>;
@group(0) @binding(3) var<storage, read_write> out_loss: array<f32>;
@group(0) @binding(4) var<storage, read_write> out_acc: array<f32>;

var<workgroup> s_loss: array<f32, WG>;
var<workgroup> s_hit: array<f32, WG>;

@compute @workgroup_size(WG)
fn reduce(@builtin(local_invocation_index) lid: u32) {
  var l = 0.0;
  var a = 0.0;
  for (var r = lid; r < p.rows; r += WG) {
    l += r_loss[r];
    a += r_hit[r];
  }
  s_loss[lid] = l;
  s_hit[lid] = a;
  workgroupBarrier();
  for (var k = WG / 2u; k > 0u; k >>= 1u) {
    if (lid < k) {
      s_loss[lid] += s_loss[lid + k];
      s_hit[lid] += s_hit[lid + k];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let n = f32(p.rows);
    out_loss[0] = select(s_loss[0], s_loss[0] / n, MEAN);
    out_acc[0] = s_hit[0] / n;
  }
}

// ---- backward ---------------------------------------------------------------------------
@group(0) @binding(1) var<storage, read> b_x: array<f32>;
@group(0) @binding(2) var<storage, read> b_idx: array<i32>;
@group(0) @binding(3) var<storage, read> b_q: array<f32>;
@group(0) @binding(4) var<storage, read> b_w: array<f32>;
@group(0) @binding(5) var<storage, read> b_lse: array<f32>;
@group(0) @binding(6) var<storage, read> b_dloss: array<f32>;  // upstream ∂L/∂loss, [1]
@group(0) @binding(7) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(64)
fn backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let r = gid.x + gid.y * nwg.x * 64u;
  if (r >= p.rows) { return; }
  let xb = x_base(r);
  let tb = t_base(r);
  var g = select(b_dloss[0], b_dloss[0] / f32(p.rows), MEAN) * select(1.0, b_w[r], p.has_weight != 0u);
  var qsum = 0.0;
  for (var k = 0u; k < p.K; k++) {
    let c = b_idx[tb + k * p.S];
    if (c < 0 || u32(c) >= p.C) { g = nan_f32(); }
    qsum += b_q[tb + k * p.S];
  }
  let l = b_lse[r];
  for (var j = 0u; j < p.C; j++) {
    let o = xb + j * p.S;
    dx[o] = g * qsum * exp(b_x[o] - l);
  }
  for (var k = 0u; k < p.K; k++) {
    let o = xb + u32(clamp(b_idx[tb + k * p.S], 0, i32(p.C) - 1)) * p.S;
    dx[o] -= g * b_q[tb + k * p.S];
  }
}
