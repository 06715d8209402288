// Soft assignment of points to a codebook: each point x (D values) gets its K nearest codewords
// (squared Euclidean distance d_q = ‖x − c_q‖², nearest first, ties to the lower index) with
// Gaussian-kernel probabilities p_k = e^{−(d_k − d_0)/(2σ²)} / Σ_k' e^{−(d_k' − d_0)/(2σ²)}
// (shifted by the nearest distance d_0, so far points never underflow to 0/0), and optionally
// the weight of its nearest codeword. Colorization's soft encoding of ab (Zhang et al. 2016:
// K = 5, σ = 5) and its class-rebalancing weight.
//   points x (N, D, S) with D on axis 1 (NCHW images: D = channels, S = H·W); point r = n·S + s
//   codebook c (Q, D) row-major; code_weight (Q)
//   index (N, K, S) i32, prob (N, K, S) f32, weight (N, S) = code_weight[index[n, 0, s]]
// One invocation per point; it keeps the K best (distance, code) in registers by insertion.

const KMAX: u32 = 16u;

struct Params { points: u32, D: u32, S: u32, Q: u32, K: u32, inv_two_var: f32, has_weight: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> code: array<f32>;
@group(0) @binding(3) var<storage, read> code_weight: array<f32>; // any buffer without weights
@group(0) @binding(4) var<storage, read_write> index: array<i32>;
@group(0) @binding(5) var<storage, read_write> prob: array<f32>;
@group(0) @binding(6) var<storage, read_write> weight: array<f32>;  // any buffer without weights

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let r = gid.x + gid.y * nwg.x * 64u;
  if (r >= p.points) { return; }
  let n = r / p.S;
  let s = r % p.S;
  let xb = n * p.D * p.S + s;
  var best_d: array<f32, KMAX>;
  var best_i: array<u32, KMAX>;
  var filled = 0u;
  for (var q = 0u; q < p.Q; q++) {
    var d = 0.0;
    for (var c = 0u; c < p.D; c++) {
      let e = x[xb + c * p.S] - code[q * p.D + c];
      d += e * e;
    }
    // insert (d, q) if it beats the K-th best; equal distances keep the earlier code first
    if (filled == p.K && d >= best_d[p.K - 1u]) { continue; }
    var at = min(filled, p.K - 1u);
    while (at > 0u && best_d[at - 1u] > d) {
      best_d[at] = best_d[at - 1u];
      best_i[at] = best_i[at - 1u];
      at--;
    }
    best_d[at] = d;
    best_i[at] = q;
    filled = min(filled + 1u, p.K);
  }
  var total = 0.0;
  for (var k = 0u; k < p.K; k++) { total += exp((best_d[0] - best_d[k]) * p.inv_two_var); }
  let tb = n * p.K * p.S + s;
  for (var k = 0u; k < p.K; k++) {
    index[tb + k * p.S] = i32(best_i[k]);
    prob[tb + k * p.S] = exp((best_d[0] - best_d[k]) * p.inv_two_var) / total;
  }
  if (p.has_weight != 0u) { weight[r] = code_weight[best_i[0]]; }
}
