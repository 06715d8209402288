// InfoNCE forward (on infonce_tiles.inc.wgsl): one workgroup owns 32 rows of A and streams every
// 32-column tile of S through an online log-sum-exp; the m × n logits are never stored.
//   lse_i  = log Σ_{j valid} exp(s_ij)
//   loss_i = lse_i − s_{i,pos_i}
//   hit_i  = 1 if s_{i,pos_i} > max_{j valid, j ≠ pos_i} s_ij (top-1 accuracy of the positive; a tie
//            is a miss, so collapsed embeddings score 0, not 1), else 0
// Writes aux[lr_off + i] = lse_i (the backward pass recomputes softmax from it) and
// stats[2·(stat_off + i)] = loss_i, stats[2·(stat_off + i) + 1] = hit_i.
// Each invocation keeps a running (max, sum) for its 4 rows over its own 4 columns of every tile;
// the 8 invocations sharing a row merge their partial (max, sum) once at the end.

// #include "infonce_tiles.inc.wgsl"

@group(0) @binding(5) var<storage, read_write> aux: array<f32>;
@group(0) @binding(6) var<storage, read_write> stats: array<f32>;

var<workgroup> red_m: array<f32, 256>;  // [32 rows][8 tx]
var<workgroup> red_s: array<f32, 256>;
var<workgroup> red_p: array<f32, 256>;
var<workgroup> red_o: array<f32, 256>;

@compute @workgroup_size(64)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u,
        @builtin(num_workgroups) nwg: vec3u) {
  let tx = lid % 8u;
  let ty = lid / 8u;
  let r0 = (wid.x + wid.y * nwg.x) * 32u;
  if (r0 >= p.m) { return; }

  var mx = array<f32, 4>(NEG, NEG, NEG, NEG);
  var sm = array<f32, 4>(0.0, 0.0, 0.0, 0.0);
  var sp = array<f32, 4>(NEG, NEG, NEG, NEG);   // s_{i,pos_i}, seen by one tx only
  var so = array<f32, 4>(NEG, NEG, NEG, NEG);   // max of the row's other valid logits
  var ra: array<f32, 4>;
  var pi: array<u32, 4>;
  for (var i = 0u; i < 4u; i++) {
    let row = min(r0 + ty * 4u + i, p.m - 1u);
    ra[i] = aux[p.ra_off + row] * p.inv_tau;
    pi[i] = u32(pos[row]);
  }

  for (var c0 = 0u; c0 < p.n; c0 += 32u) {
    let acc = dot_tile(r0, c0, lid, tx, ty);
    var rb: vec4f;
    for (var jj = 0u; jj < 4u; jj++) { rb[jj] = aux[p.rb_off + min(c0 + tx * 4u + jj, p.n - 1u)]; }
    for (var i = 0u; i < 4u; i++) {
      let row = r0 + ty * 4u + i;
      let s = acc[i] * rb * ra[i];
      var sv: vec4f;
      var ok: vec4<bool>;
      for (var jj = 0u; jj < 4u; jj++) {
        let col = c0 + tx * 4u + jj;
        ok[jj] = col_valid(row, col, i32(pi[i]));
        sv[jj] = select(NEG, s[jj], ok[jj]);
        if (col == pi[i]) { sp[i] = s[jj]; } else if (ok[jj]) { so[i] = max(so[i], s[jj]); }
      }
      // online LSE: rescale the running sum to the new max once per tile
      let mnew = max(mx[i], max(max(sv.x, sv.y), max(sv.z, sv.w)));
      let e = select(vec4f(0.0), exp(sv - vec4f(mnew)), ok);
      sm[i] = sm[i] * exp(mx[i] - mnew) + (e.x + e.y) + (e.z + e.w);
      mx[i] = mnew;
    }
  }

  for (var i = 0u; i < 4u; i++) {
    let slot = (ty * 4u + i) * 8u + tx;
    red_m[slot] = mx[i];
    red_s[slot] = sm[i];
    red_p[slot] = sp[i];
    red_o[slot] = so[i];
  }
  workgroupBarrier();
  if (lid < 32u && r0 + lid < p.m) {
    let row = r0 + lid;
    var m = NEG;
    var s_pos = NEG;
    var s_other = NEG;
    for (var t = 0u; t < 8u; t++) {
      m = max(m, red_m[lid * 8u + t]);
      s_pos = max(s_pos, red_p[lid * 8u + t]);
      s_other = max(s_other, red_o[lid * 8u + t]);
    }
    var l = 0.0;
    for (var t = 0u; t < 8u; t++) { l += red_s[lid * 8u + t] * exp(red_m[lid * 8u + t] - m); }
    let lse = m + log(l);
    aux[p.lr_off + row] = lse;
    stats[2u * (p.stat_off + row)] = lse - s_pos;
    stats[2u * (p.stat_off + row) + 1u] = select(0.0, 1.0, s_pos > s_other);
  }
}
