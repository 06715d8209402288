enable subgroups;
// Masked row softmax / log-softmax forward, fast path for adapters with subgroups (SG lanes: 8 on
// lavapipe). Same math, Params and bindings as softmax.wgsl; the launcher picks it only when
// len % 4 == 0, so x, y and the mask are vec4 views.
//
// Why it looks like this: lavapipe turns each storage access whose address is not provably
// uniform into a per-lane loop with a bounds check, so the count of load/store *instructions*
// per logit decides the speed. Here every access moves a vec4, and the row's reductions go
// through subgroupMax / subgroupAdd (registers) instead of workgroup memory and barriers.
//
// One subgroup of SG lanes owns a row; RPW rows (subgroups) per workgroup. Lane l reads the
// vec4s q = 4·SG·i + SG·u + l (u = 0..3) of step i: 16 logits per lane per step.
//   walk 1: online max and sum per lane, one rescale per step:
//           m' = max(m, max v),  s' = s·e^(m−m') + Σ e^(v−m')
//   merge:  M = max_l m_l,  S = Σ_l s_l e^(m_l−M)   (subgroupMax, subgroupAdd)
//   walk 2: y = e^(v−M)/S   (LOG: v − M − log S, masked → −∞); a fully masked row gives zeros;
//           a NaN logit (not masked) makes its whole row NaN.
// x and the mask are read twice (the row, ≤ 16 KiB, stays in cache), y written once.
// Loop trip counts are uniform (the same for the SG lanes): subgroup ops need uniform control
// flow, and runtime bounds keep LLVM from unrolling (JIT time).

override LOG: bool = false;

// #include "../reduce/reduce.inc.wgsl"
// #include "softmax_logits.inc.wgsl"
// #include "softmax_sg.inc.wgsl"
@group(0) @binding(1) var<storage, read> x: array<vec4f>;
@group(0) @binding(2) var<storage, read> mask: array<vec4u>;   // u32/i32 flags or f32 bits
@group(0) @binding(3) var<storage, read_write> y: array<vec4f>;

// logits 4q..4q+3 of a row (xb, mb: the row's first vec4 in x and mask); MASKED_V past the end
fn logit4(xb: u32, mb: u32, qpos: i32, q: u32, len4: u32) -> vec4f {
  let qc = min(q, len4 - 1u);
  var v = p.scale * x[xb + qc];
  if (p.mask_kind == 1u) {
    v = select(v, vec4f(MASKED_V), mask[mb + qc] == vec4u(0u));
  } else if (p.mask_kind == 2u) {
    v += bitcast<vec4f>(mask[mb + qc]);
  }
  if (p.causal != 0u) {
    let j = vec4i(i32(4u * qc)) + vec4i(0, 1, 2, 3);
    v = select(v, vec4f(MASKED_V), j > vec4i(qpos + p.offset));
  }
  return select(select(v, vec4f(MASKED_V), v <= vec4f(MASKED)), vec4f(MASKED_V), q >= len4);
}

fn max4(v: vec4f) -> f32 { return max(max(v.x, v.y), max(v.z, v.w)); }

@compute @workgroup_size(SG * RPW)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) tid: u32, @builtin(subgroup_invocation_id) lane: u32) {
  let sr = sg_row(wid, nwg, tid);
  let xb = sr.row * sr.len4;
  let mb = mask_row(sr.row) * sr.len4;
  let qpos = query_pos(sr.row);

  var m = MASKED_V;
  var s = 0.0;
  var bad = false;
  for (var i = 0u; i < sr.steps; i++) {
    let q = 4u * SG * i + lane;
    let v0 = logit4(xb, mb, qpos, q, sr.len4);
    let v1 = logit4(xb, mb, qpos, q + SG, sr.len4);
    let v2 = logit4(xb, mb, qpos, q + 2u * SG, sr.len4);
    let v3 = logit4(xb, mb, qpos, q + 3u * SG, sr.len4);
    bad = bad || any_nan4(v0) || any_nan4(v1) || any_nan4(v2) || any_nan4(v3);
    let mn = max(m, max(max(max4(v0), max4(v1)), max(max4(v2), max4(v3))));
    if (mn > MASKED) {
      let e = exp(v0 - mn) + exp(v1 - mn) + exp(v2 - mn) + exp(v3 - mn);
      s = s * exp(m - mn) + dot(e, vec4f(1.0));
    }
    m = mn;
  }
  let M = subgroupMax(m);
  let S = subgroupAdd(select(select(0.0, s * exp(m - M), m > MASKED), nan_f32(), bad)); // NaN: the row has a NaN
  let row_nan = is_nan(S);
  let empty = M <= MASKED && !row_nan;
  let inv = 1.0 / S;
  let log_s = log(S);

  for (var i = 0u; i < sr.steps; i++) {
    for (var u = 0u; u < 4u; u++) {
      let q = 4u * SG * i + SG * u + lane;
      let v = logit4(xb, mb, qpos, q, sr.len4);
      var out: vec4f;
      if (LOG) {
        out = select(v - M - log_s, vec4f(p.neg_inf), v <= vec4f(MASKED));
      } else {
        out = exp(v - M) * inv;
      }
      if (sr.live && q < sr.len4) { y[xb + q] = select(select(out, vec4f(0.0), empty), vec4f(S), row_nan); }
    }
  }
}
