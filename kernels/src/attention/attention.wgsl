// Fused attention forward (FlashAttention's online softmax): the Tq×Tk score matrix is never stored.
//   Q (BH, Tq, d), K and V (BH, Tk, d), BH = B·H flattened
//   s_ij = scale·q_i·k_j + a_j      (a_j: key padding per (b, j), additive or 0/−∞; causal: −∞ for j > i + offset)
//   O_i  = Σ_j e^(s_ij − m_i) v_j / ℓ_i,   L_i = m_i + log ℓ_i  (logsumexp, saved for the backward)
// A fully masked query row gets O_i = 0 and L_i = −∞.
//
// One workgroup = ROWS query rows of one (b, h), one invocation per query row holding q_i and the
// O_i accumulator (d ≤ 128 → 32 vec4). Keys stream through workgroup memory in tiles of TILE rows
// (K, V and the per-key bias a_j; attention_tiles.inc.wgsl); per tile each row scores TILE keys,
// rescales once by e^(m−m'), then accumulates P·V. Causal: tiles past the last key any row of the
// workgroup sees are skipped. (2·TILE·D4·16 + ROWS·TILE·4 + TILE·4) bytes of workgroup memory.

@group(0) @binding(5) var<storage, read_write> o: array<f32>;
@group(0) @binding(6) var<storage, read_write> lse: array<f32>;

// element e of source src: 0 q, 1 k, 2 v (a constant after inlining)
fn at(src: u32, e: u32) -> f32 { if (src == 0u) { return q[e]; } if (src == 1u) { return k[e]; } return v[e]; }

// #include "attention_tiles.inc.wgsl"

var<workgroup> sc: array<f32, ROWS * TILE>;   // this tile's scores, row lid at [lid·TILE …]

@compute @workgroup_size(ROWS)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let t = owned_tile(wid, nwg);
  let row = own_row(t, lid, p.tq);  // this invocation's query row i
  let i = row.r;
  let nd4 = (p.d + 3u) / 4u;

  var qi: array<vec4f, DMAX4>;
  var acc: array<vec4f, DMAX4>;
  for (var c = 0u; c < nd4; c++) {
    qi[c] = select(vec4f(0.0), p.scale * load4(0u, row.base, c), row.live);
    acc[c] = vec4f(0.0);
  }
  var m = MASKED_V;
  var l = 0.0;

  let kend = key_end(t.r0);
  for (var k0 = 0u; k0 < kend; k0 += TILE) {
    stage_keys(t.bh, t.b, k0, lid);

    // scores of this tile, and their max
    let srow = lid * TILE;
    var tmax = MASKED_V;
    for (var jj = 0u; jj < p.tile; jj++) {
      var dotv = vec4f(0.0);
      for (var c = 0u; c < nd4; c++) { dotv += qi[c] * ta[jj * D4 + c]; }
      var s = dot(dotv, vec4f(1.0)) + t1[jj];
      if (p.causal != 0u && i32(k0 + jj) > i32(i) + p.offset) { s = MASKED_V; }
      s = select(s, MASKED_V, s <= MASKED);
      sc[srow + jj] = s;
      tmax = max(tmax, s);
    }
    if (tmax > MASKED) {
      let mn = max(m, tmax);
      let corr = exp(m - mn);
      l *= corr;
      for (var c = 0u; c < nd4; c++) { acc[c] *= corr; }
      for (var jj = 0u; jj < p.tile; jj++) {
        let sj = sc[srow + jj];
        let pe = select(0.0, exp(sj - mn), sj > MASKED);
        l += pe;
        for (var c = 0u; c < nd4; c++) { acc[c] += pe * tb[jj * D4 + c]; }
      }
      m = mn;
    }
  }

  if (!row.live) { return; }
  let empty = m <= MASKED;
  let inv = select(1.0 / l, 0.0, empty);
  for (var c = 0u; c < nd4; c++) {
    let r = acc[c] * inv;
    for (var cc = 0u; cc < 4u; cc++) {
      let col = 4u * c + cc;
      if (col < p.d) { o[row.base + col] = r[cc]; }
    }
  }
  lse[t.bh * p.tq + i] = select(m + log(l), p.neg_inf, empty);
}
