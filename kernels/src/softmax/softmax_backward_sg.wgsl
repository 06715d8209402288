enable subgroups;
// Backward of softmax / log-softmax, fast path for adapters with subgroups (SG lanes: 8 on
// lavapipe); same math, Params and bindings as softmax_backward.wgsl, picked under the same
// conditions as softmax_sg.wgsl (len % 4 == 0: y, dy, dx are vec4 views):
//   softmax:      dx_j = scale · y_j · (dy_j − g),       g = Σ_k dy_k y_k
//   log-softmax:  dx_j = scale · (dy_j − e^(y_j) · g),   g = Σ_k dy_k over unmasked k
// (a fully masked log-softmax row is all zeros: Σ e^y = L ≥ 2 marks it, and it gets dx = 0).
// One SG-lane subgroup per row, RPW rows per workgroup; lane l reads vec4s q = 4·SG·i + SG·u + l
// (u = 0..3) of step i; subgroupAdd merges the lanes' sums. See softmax_sg.wgsl for why.

override LOG: bool = false;
const MASKED: f32 = -1.0e38;

struct Params { rows: u32, len: u32, scale: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> y: array<vec4f>;
@group(0) @binding(2) var<storage, read> dy: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> dx: array<vec4f>;

// #include "softmax_sg.inc.wgsl"

// (y, dy) at vec4 q of the row from `base` (clamped to the row's last vec4)
struct YD { y: vec4f, dy: vec4f }
fn yd4(base: u32, q: u32, len4: u32) -> YD {
  let qc = base + min(q, len4 - 1u);
  return YD(y[qc], dy[qc]);
}

@compute @workgroup_size(SG * RPW)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) tid: u32, @builtin(subgroup_invocation_id) lane: u32) {
  let sr = sg_row(wid, nwg, tid);
  let base = sr.row * sr.len4;

  // g = Σ dy·y (softmax) or Σ dy (log); t = Σ e^y (log only)
  var g = vec4f(0.0);
  var t = vec4f(0.0);
  for (var i = 0u; i < sr.steps; i++) {
    for (var u = 0u; u < 4u; u++) {
      let q = 4u * SG * i + SG * u + lane;
      let v = yd4(base, q, sr.len4);
      let keep = q < sr.len4;
      if (LOG) {
        g += select(vec4f(0.0), select(vec4f(0.0), v.dy, v.y > vec4f(MASKED)), keep);
        t += select(vec4f(0.0), exp(v.y), keep);
      } else {
        g += select(vec4f(0.0), v.dy * v.y, keep);
      }
    }
  }
  let G = subgroupAdd(dot(g, vec4f(1.0)));
  let T = subgroupAdd(dot(t, vec4f(1.0)));
  let empty = LOG && T > 1.5;

  for (var i = 0u; i < sr.steps; i++) {
    for (var u = 0u; u < 4u; u++) {
      let q = 4u * SG * i + SG * u + lane;
      let v = yd4(base, q, sr.len4);
      var d: vec4f;
      if (LOG) {
        d = select(select(p.scale * (v.dy - exp(v.y) * G), vec4f(0.0), v.y <= vec4f(MASKED)), vec4f(0.0), empty);
      } else {
        d = p.scale * v.y * (v.dy - G);
      }
      if (sr.live && q < sr.len4) { dx[base + q] = d; }
    }
  }
}
