// Batch norm + ReLU + K×K max pool of stride K (no padding, Ho = ⌊H/K⌋, Wo = ⌊W/K⌋), one pass
// each way. Per channel c, v = a_c·x + b_c (the expression of batchnorm.wgsl's normalize):
//   training: a_c = invstd_c·gamma_c,                 b_c = beta_c − mean_c·a_c  (batchnorm.stats)
//   eval:     a_c = gamma_c / sqrt(running_var_c + eps), b_c = beta_c − running_mean_c·a_c
//   forward:  y[n, c, oh, ow] = max(0, max of v over the window)   (x read once, only y written)
// Backward, with the window's argmax j* (first max of v) and v* recomputed from x: the gradient
// reaching batch norm's output is g_j = dy[cell] where j = j* and v* > 0, else 0 (max pool's then
// ReLU's backward); elements in no window (H or W not a multiple of K) get g = 0.
//   backward_params: dbeta_c = Σ g, dgamma_c = Σ g·xhat (one term per window: j*); one workgroup
//                    per channel, lanes over its N·Ho rows of cells, reduced through workgroup memory
//   backward_dx:     dx = k1·g + k2·x + k3 (batchnorm.wgsl's dx_coef); each cell owns its window,
//                    run on to the plane's edge in the last row and column of cells
// forward and backward_dx: one invocation per row of cells (the channel's coefficients loaded once).
// Bindings are per entry point (1, 2, … in launcher order).

// flag: bit 0 eval (`scale` holds running_var instead of invstd)
struct Params { n: u32, c: u32, h: u32, w: u32, ho: u32, wo: u32, eps: f32, flag: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;     // (N, C, H, W), every entry point
@group(0) @binding(6) var<storage, read_write> y: array<f32>; // forward: (N, C, Ho, Wo)
@group(0) @binding(6) var<storage, read> dy: array<f32>;      // backward: (N, C, Ho, Wo)
@group(0) @binding(9) var<storage, read_write> dx: array<f32>; // (N, C, H, W)

override K: u32 = 2u; // window size = stride (the launcher passes it: loops of fixed length)

struct Best { v: f32, at: u32 }

// (v*, j*) over the K×K window from `base`
fn window_max(base: u32, ab: vec2f) -> Best {
  var b = Best(x[base] * ab.x + ab.y, base);
  for (var r = 0u; r < K; r++) {
    for (var s = 0u; s < K; s++) {
      let j = base + r * p.w + s;
      let v = x[j] * ab.x + ab.y;
      if (v > b.v) { b = Best(v, j); }
    }
  }
  return b;
}

// Every entry point walks rows of cells: row t = (plane, oh), flat over (N, C, Ho); its cells'
// windows start at x[row_base(t) + ow·K] and its outputs at dy or y[t·Wo + ow].
fn row_base(t: u32) -> u32 { return t / p.ho * p.h * p.w + t % p.ho * K * p.w; }

// (v*, x at the argmax) of cell ow of the row whose windows start at `base`
fn cell_max(base: u32, ow: u32, ab: vec2f) -> vec2f {
  let b = window_max(base + ow * K, ab);
  return vec2f(b.v, x[b.at]);
}

// #include "batchnorm_pool_cells.inc.wgsl"

@compute @workgroup_size(64)
fn backward_dx(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let r = cell_row(gid, nwg);
  if (!r.live) { return; }
  let k = dx_coef(r.c, f32(p.n * p.h * p.w));
  let base = r.base;
  let rows = select(K, p.h - r.t % p.ho * K, r.t % p.ho + 1u == p.ho); // the last row of cells runs on to H
  for (var ow = 0u; ow < p.wo; ow++) {
    let b = window_max(base + ow * K, r.ab);
    let g = select(0.0, k.x * dy[r.t * p.wo + ow], b.v > 0.0);
    let cols = select(K, p.w - ow * K, ow + 1u == p.wo);
    for (var i = 0u; i < rows; i++) {
      for (var s = 0u; s < cols; s++) {
        let j = base + i * p.w + ow * K + s;
        dx[j] = select(0.0, g, j == b.at) + k.y * x[j] + k.z;
      }
    }
  }
}
