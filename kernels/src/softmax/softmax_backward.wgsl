// Backward of softmax.wgsl for one row of length L (y = its output, dy = ∂loss/∂y):
//   softmax:      dx_j = scale · y_j · (dy_j − Σ_k dy_k y_k)
//   log-softmax:  dx_j = scale · (dy_j − p_j · Σ_k dy_k),  p_j = e^(y_j), k over unmasked keys
// Masked keys: y_j = 0 (softmax) or −∞ (log-softmax) → dx_j = 0, and their dy_j do not reach x. A fully masked log-softmax row
// is all zeros, so Σ p = L (≥ 2) instead of 1: such rows get dx = 0 (for L = 1 the formula gives 0).
// Same layout as the forward: WG/TPR rows per workgroup, TPR threads per row, a tree sum.

override TPR: u32 = 64u;
override LOG: bool = false;
const WG: u32 = 64u;
const MASKED: f32 = -1.0e38;

struct Params { rows: u32, len: u32, scale: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> y: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;

var<workgroup> red_g: array<f32, WG>;
var<workgroup> red_t: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) tid: u32) {
  let row = (wid.x + wid.y * nwg.x) * (WG / TPR) + tid / TPR;
  let lane = tid % TPR;
  let live = row < p.rows;
  let base = row * p.len;
  let n = select(0u, p.len, live);

  // g = Σ dy·y (softmax) or Σ dy (log); t = Σ e^y (log only)
  var g = 0.0;
  var t = 0.0;
  for (var j0 = 4u * lane; j0 < n; j0 += 4u * TPR) {
    for (var c = 0u; c < 4u; c++) {
      let j = j0 + c;
      if (j < n) {
        if (LOG) {
          let yj = y[base + j];
          g += select(dy[base + j], 0.0, yj <= MASKED);
          t += exp(yj);
        } else {
          g += dy[base + j] * y[base + j];
        }
      }
    }
  }
  red_g[tid] = g;
  red_t[tid] = t;
  for (var stride = TPR / 2u; stride > 0u; stride /= 2u) {
    workgroupBarrier();
    if (lane < stride) {
      g += red_g[tid + stride];
      t += red_t[tid + stride];
      red_g[tid] = g;
      red_t[tid] = t;
    }
  }
  workgroupBarrier();
  g = red_g[tid - lane];
  t = red_t[tid - lane];

  if (!live) { return; }
  let empty = LOG && t > 1.5;
  for (var j0 = 4u * lane; j0 < n; j0 += 4u * TPR) {
    for (var c = 0u; c < 4u; c++) {
      let j = j0 + c;
      if (j < n) {
        let yj = y[base + j];
        var d: f32;
        if (LOG) {
          d = select(p.scale * (dy[base + j] - exp(yj) * g), 0.0, empty || yj <= MASKED);
        } else {
          d = p.scale * yj * (dy[base + j] - g);
        }
        dx[base + j] = d;
      }
    }
  }
}
