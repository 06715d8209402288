// Cross-entropy over rows of logits x (rows × C) with integer targets t (rows), as PyTorch's
// F.cross_entropy(x, t, ignore_index, label_smoothing = ε, reduction = mean | sum).
// Target distribution of a row: q_j = (1 − ε)·[j = t] + ε/C, so with lse = log Σ_j e^{x_j}
//   row loss ℓ = −Σ_j q_j·(x_j − lse) = lse − (1 − ε)·x_t − (ε/C)·Σ_j x_j.
// Rows with t = ignore_index contribute nothing and are not counted; a target outside [0, C)
// that is not ignore_index gives ℓ = NaN (the loss turns NaN instead of silently wrong).
//
// Entry points (one file, three passes):
//   rows_small: one invocation per row (short rows, many rows), else
//   rows:     one workgroup per row, WG threads stride over C: max and Σx, then Σe^{x−max},
//             each reduced in workgroup memory → lse[r], ℓ[r], correct[r] (top-1: x_t is the
//             row's only maximum; a tie for the maximum is wrong, so constant logits score 0).
//   reduce:   one workgroup: loss = Σℓ / count (mean) or Σℓ (sum), count = #non-ignored rows,
//             accuracy = Σcorrect / count, each into its own 1-element buffer.
//   backward: one workgroup per row (its target, lse and g loaded once), WG threads stride over C:
//             dx_rj = (e^{x_rj − lse_r} − q_j)·g, g = dloss / count (mean) or dloss (sum);
//             0 on ignored rows, NaN on out-of-range targets.

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
var<workgroup> s_ties: array<u32, WG>;

// #include "crossentropy.inc.wgsl"

@compute @workgroup_size(WG)
fn rows(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = wid.x + wid.y * nwg.x;
  if (r >= p.rows) { return; } // uniform per workgroup
  let base = r * p.C;
  // pass 1: max (first argmax) and Σx; pass 2: Σ e^{x − max} (the row is re-read from cache).
  // Two passes keep one exp per logit with no divergent branch, unlike an online rescale.
  var m = NEG_INF;
  var xs = 0.0;
  var arg = 0xffffffffu;
  for (var j = lid; j < p.C; j += WG) {
    let v = x[base + j];
    if (v > m) { m = v; arg = j; }
    xs += v;
  }
  s_max[lid] = m; s_xsum[lid] = xs; s_arg[lid] = arg;
  workgroupBarrier();
  for (var k = WG / 2u; k > 0u; k >>= 1u) {
    if (lid < k) {
      let m1 = s_max[lid]; let m2 = s_max[lid + k];
      let a1 = s_arg[lid]; let a2 = s_arg[lid + k];
      if (m2 > m1 || (m2 == m1 && a2 < a1)) { s_max[lid] = m2; s_arg[lid] = a2; }
      s_xsum[lid] += s_xsum[lid + k];
    }
    workgroupBarrier();
  }
  let row_max = s_max[0];
  var s = 0.0;
  var ties = 0u;
  for (var j = lid; j < p.C; j += WG) {
    let v = x[base + j];
    s += exp(v - row_max);
    ties += select(0u, 1u, v == row_max);
  }
  s_sum[lid] = s;
  s_ties[lid] = ties;
  workgroupBarrier();
  for (var k = WG / 2u; k > 0u; k >>= 1u) {
    if (lid < k) { s_sum[lid] += s_sum[lid + k]; s_ties[lid] += s_ties[lid + k]; }
    workgroupBarrier();
  }
  if (lid == 0u) { finish_row(r, row_max + log(s_sum[0]), s_xsum[0], s_arg[0], s_ties[0]); }
}

// lse, ℓ and top-1 hit of row r from its logsumexp l, Σx, argmax and how many logits equal the max
fn finish_row(r: u32, l: f32, xs: f32, arg: u32, ties: u32) {
  let base = r * p.C;
  lse[r] = l;
  let tr = t[r];
  var loss = 0.0;
  var hit = 0.0;
  if (tr != p.ignore_index) {
    if (tr >= 0 && u32(tr) < p.C) {
      loss = l - (1.0 - p.eps) * x[base + u32(tr)] - (p.eps / f32(p.C)) * xs;
      hit = select(0.0, 1.0, arg == u32(tr) && ties == 1u);
    } else {
      loss = nan_f32(); // target out of range
    }
  }
  row_loss[r] = loss;
  correct[r] = hit;
}

// short rows, many of them: one invocation per row, no workgroup memory or barriers (on a CPU
// adapter the barriers of the workgroup reduction cost more than the row itself)
@compute @workgroup_size(64)
fn rows_small(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let r = gid.x + gid.y * nwg.x * 64u;
  if (r >= p.rows) { return; }
  let base = r * p.C;
  var m = NEG_INF;
  var xs = 0.0;
  var arg = 0u;
  for (var j = 0u; j < p.C; j++) {
    let v = x[base + j];
    if (v > m) { m = v; arg = j; }
    xs += v;
  }
  var s = 0.0;
  var ties = 0u;
  for (var j = 0u; j < p.C; j++) {
    let v = x[base + j];
    s += exp(v - m);
    ties += select(0u, 1u, v == m);
  }
  finish_row(r, m + log(s), xs, arg, ties);
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

@compute @workgroup_size(WG)
fn backward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = wid.x + wid.y * nwg.x;
  if (r >= p.rows) { return; }
  let base = r * p.C;
  let tr = b_t[r];
  let l = b_lse[r];
  let ignored = tr == p.ignore_index;
  let bad = !ignored && (tr < 0 || u32(tr) >= p.C);
  // ignored rows: g = 0 (and q·0 = 0); out-of-range targets: g = NaN
  var g = select(b_dloss[0], b_dloss[0] / b_count[0], MEAN);
  g = select(select(g, nan_f32(), bad), 0.0, ignored);
  let off = p.eps / f32(p.C);
  for (var j = lid; j < p.C; j += WG) {
    let q = select(off, 1.0 - p.eps + off, i32(j) == tr);
    dx[base + j] = (exp(b_x[base + j] - l) - q) * g;
  }
}
