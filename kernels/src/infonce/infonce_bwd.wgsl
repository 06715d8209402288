// InfoNCE backward (on infonce_tiles.inc.wgsl). One workgroup owns 32 rows of A and a chunk of
// 32·DCH output columns (grid z walks the chunks), so no two workgroups write one element.
// Each S tile is recomputed from A and B and turned into the gradient of the logits:
//   P_ij = wr·(exp(s_ij − lr_i) − δ_ij) + wc·(exp(s_ij − lc_j) − δ_ij)   (0 where s_ij is excluded)
//   δ_ij = [pos_i = j]   (or [pos_j = i] when delta_from_col)
// the first term is the row softmax minus the one-hot positive (G), the second the same for the
// columns (Gᵀ, for SimCLR's Z·Zᵀ and CLIP's text→image direction). Then
//   out_i = Σ_j P_ij · rb_j · b_j · inv_tau   (m × d)
// is the gradient w.r.t. the normalised row â_i (the launcher's l2_back finishes the chain).
// The column pass (dK) is this same kernel with A and B swapped and the weights exchanged.

// #include "infonce_tiles.inc.wgsl"

override DCH: u32 = 4u;   // output columns per workgroup = 32 · DCH (the launcher picks it from d)

@group(0) @binding(5) var<storage, read> aux: array<f32>;
@group(0) @binding(6) var<storage, read_write> out: array<f32>;

var<workgroup> ps: array<vec4f, 256>;        // P tile [32 rows][32 cols / 4]
var<workgroup> kd: array<vec4f, 256 * DCH>;  // b_j chunk [32 cols][32·DCH / 4]

@compute @workgroup_size(64)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u,
        @builtin(num_workgroups) nwg: vec3u) {
  let tx = lid % 8u;
  let ty = lid / 8u;
  let r0 = (wid.x + wid.y * nwg.x) * 32u;
  let dc0 = wid.z * 32u * DCH;
  if (r0 >= p.m) { return; }

  var lr: array<f32, 4>;
  var ra: array<f32, 4>;
  var pi: array<i32, 4>;
  for (var i = 0u; i < 4u; i++) {
    let row = min(r0 + ty * 4u + i, p.m - 1u);
    lr[i] = aux[p.lr_off + row];
    ra[i] = aux[p.ra_off + row] * p.inv_tau;
    pi[i] = pos[row];
  }
  var o: array<array<vec4f, 4>, 4>;   // o[c][i]: row ty·4+i, columns dc0 + c·32 + tx·4 … +3

  for (var c0 = 0u; c0 < p.n; c0 += 32u) {
    let acc = dot_tile(r0, c0, lid, tx, ty);
    var rb: vec4f;
    var lc: vec4f;
    var pc: vec4<i32>;
    for (var jj = 0u; jj < 4u; jj++) {
      let col = min(c0 + tx * 4u + jj, p.n - 1u);
      rb[jj] = aux[p.rb_off + col];
      lc[jj] = select(0.0, aux[p.lc_off + col], p.wc != 0.0);
      pc[jj] = select(-1, pos[col], p.delta_from_col == 1u);
    }
    for (var i = 0u; i < 4u; i++) {
      let row = r0 + ty * 4u + i;
      let s = acc[i] * rb * ra[i];
      // a zero weight skips its term (its LSE slot may hold anything)
      var g = vec4f(0.0);
      if (p.wr != 0.0) { g = p.wr * exp(s - vec4f(lr[i])); }
      if (p.wc != 0.0) { g += p.wc * exp(s - lc); }
      for (var jj = 0u; jj < 4u; jj++) {
        let col = c0 + tx * 4u + jj;
        var hit = i32(col) == pi[i];
        if (p.delta_from_col == 1u) { hit = u32(pc[jj]) == row; }
        if (hit) { g[jj] -= p.wr + p.wc; }
        if (!col_valid(row, col, pi[i]) || row >= p.m) { g[jj] = 0.0; }
      }
      ps[(ty * 4u + i) * 8u + tx] = g * rb;
    }
    // stage b_j for the 32 columns of this tile, d-columns [dc0, dc0 + 32·DCH)
    for (var e = 0u; e < 16u * DCH; e++) {
      let idx = lid + 64u * e;
      let j = idx / (32u * DCH);
      let k = idx % (32u * DCH);
      kd[j * 8u * DCH + k / 4u][k % 4u] = b_at(c0 + j, dc0 + k);
    }
    workgroupBarrier();
    // o[c][i] += Σ_j P_ij · b_j[c·32 + tx·4 …]
    for (var j = 0u; j < 32u; j++) {
      var pv: vec4f;
      for (var i = 0u; i < 4u; i++) { pv[i] = ps[(ty * 4u + i) * 8u + j / 4u][j % 4u]; }
      for (var c = 0u; c < DCH; c++) {
        let bv = kd[j * 8u * DCH + c * 8u + tx];
        o[c][0] = pv.x * bv + o[c][0];
        o[c][1] = pv.y * bv + o[c][1];
        o[c][2] = pv.z * bv + o[c][2];
        o[c][3] = pv.w * bv + o[c][3];
      }
    }
    // dot_tile's leading barrier orders these reads of ps / kd before the next tile's writes
  }

  for (var i = 0u; i < 4u; i++) {
    let row = r0 + ty * 4u + i;
    if (row >= p.m) { continue; }
    for (var c = 0u; c < DCH; c++) {
      for (var jj = 0u; jj < 4u; jj++) {
        let k = dc0 + c * 32u + tx * 4u + jj;
        if (k < p.d) { out[row * p.d + k] = o[c][i][jj] * p.inv_tau; }
      }
    }
  }
}
