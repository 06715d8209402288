// Masked row softmax over the last axis: x (rows, L) → y (rows, L).
//   v_j = scale·x_j + a_j      a_j: additive mask, or "masked" where a boolean/causal mask drops key j
//   y_j = exp(v_j − m) / Σ_k exp(v_k − m),  m = max_k v_k          (softmax)
//   y_j = v_j − m − log Σ_k exp(v_k − m)                           (LOG: log-softmax; masked → −∞)
// A fully masked row gives zeros; a NaN logit (not masked) makes its whole row NaN, as in PyTorch. Internally a masked logit is MASKED_V (finite, so no inf − inf);
// anything ≤ MASKED (including an additive −∞) counts as masked.
//
// A workgroup of WG threads owns WG/TPR rows, TPR threads per row. Thread t of a row walks its
// blocks of 4 logits (t, t+TPR, …): once for its max m_t, once for s_t = Σ e^(v−m_t) (softmax
// stores e^(v−m_t) in y). The TPR partial (m_t, s_t) merge in a tree in workgroup memory —
//   m = max(m₁, m₂),  s = s₁e^(m₁−m) + s₂e^(m₂−m)
// — and a last walk rescales y by e^(m_t−m)/s (log-softmax: writes v − m − log s). One exp per
// logit; the row (≤ 16 KiB for L = 4096) stays in cache between walks.

override TPR: u32 = 64u;   // threads per row, a power of two ≤ WG
override LOG: bool = false;
const WG: u32 = 64u;

// #include "../reduce/reduce.inc.wgsl"
// #include "softmax_logits.inc.wgsl"
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> mask: array<u32>;   // u32/i32 flags or f32 bits
@group(0) @binding(3) var<storage, read_write> y: array<f32>;

var<workgroup> red_m: array<f32, WG>;
var<workgroup> red_s: array<f32, WG>;

// the masked, scaled logit v_j of a row (j < len)
fn logit(row_base: u32, mask_base: u32, qpos: i32, j: u32) -> f32 {
  var v = p.scale * x[row_base + j];
  if (p.causal != 0u && i32(j) > qpos + p.offset) { return MASKED_V; }
  if (p.mask_kind == 1u) {
    if (mask[mask_base + j] == 0u) { return MASKED_V; }
  } else if (p.mask_kind == 2u) {
    v += bitcast<f32>(mask[mask_base + j]);
  }
  return select(v, MASKED_V, v <= MASKED);
}

fn block(row_base: u32, mask_base: u32, qpos: i32, j0: u32) -> vec4f {
  var v = vec4f(MASKED_V);
  for (var c = 0u; c < 4u; c++) {
    if (j0 + c < p.len) { v[c] = logit(row_base, mask_base, qpos, j0 + c); }
  }
  return v;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) tid: u32) {
  let row = (wid.x + wid.y * nwg.x) * (WG / TPR) + tid / TPR;
  let lane = tid % TPR;
  let live = row < p.rows;
  let row_base = row * p.len;
  let mask_base = mask_row(row) * p.len;
  let qpos = query_pos(row);
  let nblocks = select(0u, (p.len + 3u) / 4u, live);

  // this thread's max m_t, then s_t = Σ e^(v − m_t) over its blocks; softmax stores e^(v − m_t)
  // in y now so the final pass rescales without a second exp
  var mt = MASKED_V;
  var bad = false;
  for (var b = lane; b < nblocks; b += TPR) {
    let v = block(row_base, mask_base, qpos, 4u * b);
    mt = max(mt, max(max(v.x, v.y), max(v.z, v.w)));
    bad = bad || any_nan4(v);
  }
  var m = mt;
  var s = 0.0;
  if (mt > MASKED) {
    for (var b = lane; b < nblocks; b += TPR) {
      let j0 = 4u * b;
      let v = block(row_base, mask_base, qpos, j0);
      let e = select(vec4f(0.0), exp(v - mt), v > vec4f(MASKED));
      s += dot(e, vec4f(1.0));
      if (!LOG) {
        for (var c = 0u; c < 4u; c++) {
          if (j0 + c < p.len) { y[row_base + j0 + c] = e[c]; }
        }
      }
    }
  }

  if (bad) { s = nan_f32(); } // a NaN s survives the merge (NaN·e^x + … = NaN) and marks the row
  // merge the TPR partial (m, s) of each row: s = s₁e^(m₁−m) + s₂e^(m₂−m), m = max(m₁, m₂)
  red_m[tid] = m;
  red_s[tid] = s;
  for (var stride = TPR / 2u; stride > 0u; stride /= 2u) {
    workgroupBarrier();
    if (lane < stride) {
      let m2 = red_m[tid + stride];
      let mn = max(m, m2);
      s = s * exp(m - mn) + red_s[tid + stride] * exp(m2 - mn);
      m = mn;
      red_m[tid] = m;
      red_s[tid] = s;
    }
  }
  workgroupBarrier();
  m = red_m[tid - lane];
  s = red_s[tid - lane];

  if (!live) { return; }
  let row_nan = is_nan(s);
  let empty = m <= MASKED && !row_nan;
  let inv = 1.0 / s;
  let log_s = log(s);
  if (!LOG) {
    // y_j = e^(v_j − m_t) · e^(m_t − m) / s  (zeros where this thread saw only masked keys)
    let f = select(exp(mt - m) * inv, 0.0, empty || mt <= MASKED);
    for (var b = lane; b < nblocks; b += TPR) {
      let j0 = 4u * b;
      for (var c = 0u; c < 4u; c++) {
        let j = row_base + j0 + c;
        if (j0 + c < p.len) { y[j] = select(select(y[j] * f, 0.0, f == 0.0), s, row_nan); }
      }
    }
    return;
  }
  for (var b = lane; b < nblocks; b += TPR) {
    let j0 = 4u * b;
    let v = block(row_base, mask_base, qpos, j0);
    var out: vec4f;
    if (empty) {
      out = vec4f(0.0);
    } else {
      out = select(select(vec4f(p.neg_inf), v - m - log_s, v > vec4f(MASKED)), vec4f(s), row_nan);
    }
    for (var c = 0u; c < 4u; c++) {
      if (j0 + c < p.len) { y[row_base + j0 + c] = out[c]; }
    }
  }
}
