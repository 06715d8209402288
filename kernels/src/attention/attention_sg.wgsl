enable subgroups;
// Fused attention forward, fast path for adapters with subgroups (SG lanes: 8 on lavapipe). Same
// math and outputs as attention.wgsl (read it for the masks); the launcher picks it only when
// d % 4 == 0, so Q, K, V and O are vec4 views (K4 = d/4 per row).
//   s_ij = scale·q_i·k_j + a_j,   O_i = Σ_j e^(s_ij − m_i) v_j / ℓ_i,   L_i = m_i + log ℓ_i
// Why it looks like this (see matmul/matmul_sg.wgsl): lavapipe pays per load instruction whose
// address is not uniform, so every load is a vec4 that feeds TM rows' multiply-adds.
// One workgroup = one subgroup of SG lanes = TM query rows of one (b, h). Keys stream in tiles of
// 4·SG (32 at SG = 8):
//  - S (TM × 4·SG): lane l owns keys k0 + 4l + 0..3. Per 4·SG depths, lane l holds q_i[vec4 q0 + l]
//    of the TM rows (registers; loaded once when d ≤ 4·SG) and the rows reach every lane through
//    subgroupShuffle; each lane loads its 4 keys' vec4 (4×4 transposed): 4 loads feed 4·TM FMAs.
//  - online softmax: the tile's row max through subgroupMax (uniform m_i, so every lane rescales
//    its O columns alike); ℓ_i stays a per-lane partial sum until the end (subgroupAdd).
//  - P·V: lane l owns O column vec4 SG·z + l (grid z walks chunks of 4·SG columns when d > 4·SG: each
//    chunk rescores the tile, a pipeline per chunk count would cost JIT time); P reaches the lanes
//    through subgroupShuffle, each V-row vec4 load feeds TM FMAs.
// Loops over depth and keys have runtime trip counts (kept rolled: JIT time); loops over the TM
// rows are constant and unroll, so the per-row arrays stay in registers.

// The padding-mask skips branch on a subgroupMax result: uniform across the subgroup, though
// the uniformity analysis cannot see it.
diagnostic(off, subgroup_uniformity);

@group(0) @binding(5) var<storage, read_write> o: array<vec4f>;
@group(0) @binding(6) var<storage, read_write> lse: array<f32>;

// vec4 element `e` of a (rows, K4) matrix: src 0 q, 1 k, 2 v (a constant after inlining)
fn ld(src: u32, e: u32) -> vec4f { if (src == 0u) { return q[e]; } if (src == 1u) { return k[e]; } return v[e]; }

// #include "attention_sg.inc.wgsl"

fn scale_rows(acc: ptr<function, array<vec4f, TM>>, f: ptr<function, array<f32, TM>>) {
  for (var i = 0u; i < TM; i++) { (*acc)[i] *= (*f)[i]; }
}

fn store_rows(acc: ptr<function, array<vec4f, TM>>, f: ptr<function, array<f32, TM>>, row0: u32, r0: u32, c: u32) {
  if (c >= p.d4) { return; }
  for (var i = 0u; i < TM; i++) {
    if (r0 + i < p.tq) { o[(row0 + r0 + i) * p.d4 + c] = (*acc)[i] * (*f)[i]; }
  }
}

@compute @workgroup_size(SG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(subgroup_invocation_id) lane: u32) {
  let t = owned_rows(wid, nwg);
  if (!t.live) { return; }
  let K4 = p.d4;

  var qa: array<vec4f, TM>;   // lane's vec4 q0 + lane of the TM rows; loaded once when K4 ≤ SG
  var loaded = false;
  var m: array<f32, TM>;
  var l: array<f32, TM>;
  for (var i = 0u; i < TM; i++) { m[i] = MASKED_V; l[i] = 0.0; }
  var o0: array<vec4f, TM>;
  let oc = wid.z * SG + lane;       // this lane's O column (vec4)

  let kend = key_end(t.r0);
  for (var k0 = 0u; k0 < kend; k0 += 4u * SG) {
    let kt = key_tile(t, k0, lane);
    if (kt.dropped) { continue; }
    let kb = kt.kb;
    // (explicitly zeroed: a bare `var` inside the loop kept the last tile's values on lavapipe)
    var acc: array<vec4f, TM>;
    for (var i = 0u; i < TM; i++) { acc[i] = vec4f(0.0); }
    for (var q0 = 0u; q0 < K4; q0 += SG) {
      if (K4 > SG || !loaded) { load_rows(&qa, 0u, t.qrow0, t.r0, p.tq, q0, lane); loaded = true; }
      let jn = min(SG, K4 - q0);
      for (var j = 0u; j < jn; j++) {
        let qb = q0 + j; // S += q_{r0+i}[4·qb + 0..3] · the lane's 4 keys' same depths
        dot_tile(&acc, &qa, j, k[kb.x + qb], k[kb.y + qb], k[kb.z + qb], k[kb.w + qb]);
      }
    }

    // online softmax over this tile: uniform new max per row, one rescale
    var pr: array<vec4f, TM>;
    var corr: array<f32, TM>;
    for (var i = 0u; i < TM; i++) {
      var s = acc[i] * p.scale + kt.bias;
      if (p.causal != 0u) { s = select(s, vec4f(MASKED_V), vec4i(kt.keys) > vec4i(i32(t.r0 + i) + p.offset)); }
      s = select(s, vec4f(MASKED_V), s <= vec4f(MASKED));
      let mn = max(m[i], subgroupMax(max(max(s.x, s.y), max(s.z, s.w))));
      corr[i] = exp(m[i] - mn);
      let e = select(vec4f(0.0), exp(s - vec4f(mn)), s > vec4f(MASKED));
      l[i] = l[i] * corr[i] + (e.x + e.y) + (e.z + e.w);
      m[i] = mn;
      pr[i] = e;
    }
    scale_rows(&o0, &corr);
    // O += P·V: keys k0 + 4·jl + 0..3 are lane jl's
    w_rows(&o0, &pr, 2u, t.krow0, k0, p.tk, min(oc, K4 - 1u));
  }

  // O_i = acc / ℓ_i (0 for a fully masked row), L_i = m_i + log ℓ_i (−∞)
  var inv: array<f32, TM>;
  for (var i = 0u; i < TM; i++) {
    let li = subgroupAdd(l[i]);
    let empty = m[i] <= MASKED;
    inv[i] = select(1.0 / li, 0.0, empty);
    let row = t.r0 + i;
    if (wid.z == 0u && lane == i % SG && row < p.tq) { lse[t.qrow0 + row] = select(m[i] + log(li), p.neg_inf, empty); }
  }
  store_rows(&o0, &inv, t.qrow0, t.r0, oc);
}
