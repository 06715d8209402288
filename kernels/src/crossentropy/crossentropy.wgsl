// Cross-entropy over rows of logits x (rows × C) with integer targets t (rows), as PyTorch's
// F.cross_entropy(x, t, ignore_index, label_smoothing = ε, reduction = mean | sum).
// Target distribution of a row: q_j = (1 − ε)·[j = t] + ε/C, so with lse = log Σ_j e^{x_j}
//   row loss ℓ = −Σ_j q_j·(x_j − lse) = lse − (1 − ε)·x_t − (ε/C)·Σ_j x_j.
// Rows with t = ignore_index contribute nothing and are not counted; a target outside [0, C)
// that is not ignore_index gives ℓ = NaN (the loss turns NaN instead of silently wrong).
//
// Entry points (one file, three passes):
//   rows:     one workgroup per row, WG threads stride over C with an online (max, Σe^{x−max})
//             pair each, merged in workgroup memory → lse[r], ℓ[r], correct[r] (top-1 argmax = t,
//             ties to the lowest index).
//   reduce:   one workgroup: loss = Σℓ / count (mean) or Σℓ (sum), count = #non-ignored rows,
//             accuracy = Σcorrect / count, each into its own 1-element buffer.
//   backward: one invocation per logit: dx_rj = (e^{x_rj − lse_r} − q_j)·g, g = dloss / count
//             (mean) or dloss (sum); 0 on ignored rows, NaN on out-of-range targets.

override WG: u32 = 256u;
override MEAN: bool = true;

struct Params { rows: u32, C: u32, ignore_index: i32, eps: f32 }
@group(0) @binding(0) var<uniform> p: Params;

// ---- rows -------------------------------------------------------------------------------
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> t: array<i32>;
@group(0) @binding(3) var<storage, read_write> lse: array<f32>;
@group(0) @binding(4) var<storage, read_write> row_loss: array<f32>;
@group(0) @binding(5) var<storage, read_write> correct: array<f32>;

var<workgroup> s_max: array<f32, WG>;
var<workgroup> s_sum: array<f32, WG>;
var<workgroup> s_xsum: array<f32, WG>;
var<workgroup> s_arg: array<u32, WG>;

const NEG_INF: f32 = -3.0e38;

// a quiet NaN made at run time (a NaN constant expression is a shader-creation error)
fn nan_f32() -> f32 {
  var bits = 0x7fc00000u;
  return bitcast<f32>(bits);
}

@compute @workgroup_size(WG)
fn rows(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = wid.x + wid.y * nwg.x;
  if (r >= p.rows) { return; } // uniform per workgroup
  let base = r * p.C;
  // online logsumexp: m = running max, s = Σ e^{x − m}; also Σx and the first argmax
  var m = NEG_INF;
  var s = 0.0;
  var xs = 0.0;
  var arg = 0xffffffffu;
  for (var j = lid; j < p.C; j += WG) {
    let v = x[base + j];
    if (v > m) { s = s * exp(m - v) + 1.0; m = v; arg = j; } else { s += exp(v - m); }
    xs += v;
  }
  s_max[lid] = m; s_sum[lid] = s; s_xsum[lid] = xs; s_arg[lid] = arg;
  workgroupBarrier();
  for (var k = WG / 2u; k > 0u; k >>= 1u) {
    if (lid < k) {
      let m1 = s_max[lid]; let m2 = s_max[lid + k];
      let mm = max(m1, m2);
      s_sum[lid] = s_sum[lid] * exp(m1 - mm) + s_sum[lid + k] * exp(m2 - mm);
      s_max[lid] = mm;
      s_xsum[lid] += s_xsum[lid + k];
      let a1 = s_arg[lid]; let a2 = s_arg[lid + k];
      if (m2 > m1 || (m2 == m1 && a2 < a1)) { s_arg[lid] = a2; }
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let l = s_max[0] + log(s_sum[0]);
    lse[r] = l;
    let tr = t[r];
    let C = f32(p.C);
    var loss = 0.0;
    var hit = 0.0;
    if (tr != p.ignore_index) {
      if (tr >= 0 && u32(tr) < p.C) {
        loss = l - (1.0 - p.eps) * x[base + u32(tr)] - (p.eps / C) * s_xsum[0];
        hit = select(0.0, 1.0, s_arg[0] == u32(tr));
      } else {
        loss = nan_f32(); // NaN: target out of range
      }
    }
    row_loss[r] = loss;
    correct[r] = hit;
  }
}

// ---- reduce -----------------------------------------------------------------------------
@group(0) @binding(1) var<storage, read> r_t: array<i32>;
@group(0) @binding(2) var<storage, read> r_loss: array<f32>;
@group(0) @binding(3) var<storage, read> r_correct: array<f32>;
@group(0) @binding(4) var<storage, read_write> out_loss: array<f32>;
@group(0) @binding(5) var<storage, read_write> out_count: array<f32>;
@group(0) @binding(6) var<storage, read_write> out_acc: array<f32>;

var<workgroup> s_cnt: array<f32, WG>;

@compute @workgroup_size(WG)
fn reduce(@builtin(local_invocation_index) lid: u32) {
  var l = 0.0;
  var c = 0.0;
  var a = 0.0;
  for (var r = lid; r < p.rows; r += WG) {
    l += r_loss[r];
    a += r_correct[r];
    c += select(1.0, 0.0, r_t[r] == p.ignore_index);
  }
  s_sum[lid] = l; s_cnt[lid] = c; s_xsum[lid] = a;
  workgroupBarrier();
  for (var k = WG / 2u; k > 0u; k >>= 1u) {
    if (lid < k) {
      s_sum[lid] += s_sum[lid + k];
      s_cnt[lid] += s_cnt[lid + k];
      s_xsum[lid] += s_xsum[lid + k];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let n = s_cnt[0];
    // mean over zero rows is 0/0 = NaN, as PyTorch
    out_loss[0] = select(s_sum[0], s_sum[0] / n, MEAN);
    out_count[0] = n;
    out_acc[0] = s_xsum[0] / n;
  }
}

// ---- backward ---------------------------------------------------------------------------
@group(0) @binding(1) var<storage, read> b_x: array<f32>;
@group(0) @binding(2) var<storage, read> b_t: array<i32>;
@group(0) @binding(3) var<storage, read> b_lse: array<f32>;
@group(0) @binding(4) var<storage, read> b_count: array<f32>;  // non-ignored rows, from reduce
@group(0) @binding(5) var<storage, read> b_dloss: array<f32>;  // upstream ∂L/∂loss, [1]
@group(0) @binding(6) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(256)
fn backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.rows * p.C) { return; }
  let r = i / p.C;
  let j = i - r * p.C;
  let tr = b_t[r];
  if (tr == p.ignore_index) { dx[i] = 0.0; return; }
  let g = select(b_dloss[0], b_dloss[0] / b_count[0], MEAN);
  let q = select(0.0, 1.0 - p.eps, i32(j) == tr) + p.eps / f32(p.C);
  let bad = tr < 0 || u32(tr) >= p.C;
  dx[i] = select((exp(b_x[i] - b_lse[r]) - q) * g, nan_f32(), bad);
}
