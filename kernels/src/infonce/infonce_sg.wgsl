enable subgroups;
// InfoNCE tiles, fast path for adapters with subgroups (SG lanes): same math, Params and
// outputs as infonce_fwd.wgsl / infonce_bwd.wgsl (on infonce_tiles.inc.wgsl), restructured like
// matmul/matmul_sg.wgsl (read that file for why). The launcher picks it when d % 4 == 0 (rows
// read as vec4) and the columns come from one buffer (b1; n1 = n or b2 = b1).
//   s_ij = (a_i · b_j) · ra_i · rb_j · inv_tau   (−∞ when mask_self and i = j)
// One workgroup = one subgroup of SG lanes = TM rows of A. A column tile is 4·SG columns of S; lane
// l owns columns c0 + 4l + 0..3. Per 4·SG depths each lane loads one vec4 of each of the TM rows
// (a different depth per lane) and the rows reach every lane through subgroupShuffle; each lane
// loads its 4 columns' vec4s (4×4 transposed), so one load feeds 4·TM multiply-adds.
// Loops over d and over column groups have runtime trip counts (kept rolled: JIT time).

override SG: u32 = 8u; // lanes per subgroup = per workgroup
const TM: u32 = 8u; // template slot: rows of A per workgroup
const NEG: f32 = -3.0e38; // stands for −∞ (exp(NEG − finite) = 0, and no inf arithmetic)

struct Params {
  m: u32, n: u32, n1: u32, d: u32,
  inv_tau: f32, mask_self: u32, ra_off: u32, rb_off: u32,
  lr_off: u32, lc_off: u32, wr: f32, wc: f32,
  delta_from_col: u32, stat_off: u32,
  // backward, both weights non-zero: exp(s − lc_j) = exp(s − lr_i)·e^{lr_i}·e^{−lc_j}, one exp per
  // logit. The launcher sets it only when every factor stays in f32 range (normalised rows: |s| ≤ 1/τ)
  fast_exp: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A: array<vec4f>;  // (m, d/4)
@group(0) @binding(2) var<storage, read> B: array<vec4f>;  // (n, d/4)
@group(0) @binding(3) var<storage, read> pos: array<i32>;
// forward
@group(0) @binding(4) var<storage, read_write> aux_w: array<f32>;
@group(0) @binding(5) var<storage, read_write> stats: array<f32>;
// backward
@group(0) @binding(4) var<storage, read> aux: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<vec4f>; // (m, d/4)

// Raw dots a_i · b_j of rows r0 + i (i < TM) × this lane's columns c0 + 4·lane + 0..3.
fn s_tile(r0: u32, c0: u32, lane: u32) -> array<vec4f, TM> {
  let K4 = p.d / 4u;
  let j0 = min(c0 + 4u * lane, p.n - 1u) * K4;
  let j1 = min(c0 + 4u * lane + 1u, p.n - 1u) * K4;
  let j2 = min(c0 + 4u * lane + 2u, p.n - 1u) * K4;
  let j3 = min(c0 + 4u * lane + 3u, p.n - 1u) * K4;
  var acc: array<vec4f, TM>;
  for (var q0 = 0u; q0 < K4; q0 += SG) {
    // lane l holds a_i[4·(q0 + l) + 0..3] for the TM rows
    let q = min(q0 + lane, K4 - 1u);
    let keep = select(0.0, 1.0, q0 + lane < K4);
    var av: array<vec4f, TM>;
    for (var i = 0u; i < TM; i++) { av[i] = A[min(r0 + i, p.m - 1u) * K4 + q] * keep; }
    let jn = min(SG, K4 - q0);
    for (var j = 0u; j < jn; j++) {
      let qb = q0 + j;
      let c0v = B[j0 + qb]; let c1v = B[j1 + qb]; let c2v = B[j2 + qb]; let c3v = B[j3 + qb];
      let b0 = vec4f(c0v.x, c1v.x, c2v.x, c3v.x); let b1 = vec4f(c0v.y, c1v.y, c2v.y, c3v.y);
      let b2 = vec4f(c0v.z, c1v.z, c2v.z, c3v.z); let b3 = vec4f(c0v.w, c1v.w, c2v.w, c3v.w);
      for (var i = 0u; i < TM; i++) {
        let a = subgroupShuffle(av[i], j); // a_{r0+i}[4·qb + 0..3]
        acc[i] = a.x * b0 + acc[i];
        acc[i] = a.y * b1 + acc[i];
        acc[i] = a.z * b2 + acc[i];
        acc[i] = a.w * b3 + acc[i];
      }
    }
  }
  return acc;
}

fn first_row(wid: vec3u, nwg: vec3u) -> u32 { return (wid.x + wid.y * nwg.x) * TM; }

// Forward: online LSE per (row, lane) over the lane's columns, merged across lanes at the end
// with subgroupMax / subgroupAdd. Writes aux[lr_off + i] = lse_i, stats = (loss_i, hit_i).
@compute @workgroup_size(SG)
fn forward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
           @builtin(subgroup_invocation_id) lane: u32) {
  let r0 = first_row(wid, nwg);
  if (r0 >= p.m) { return; }
  var mx: array<f32, TM>;
  var sm: array<f32, TM>;
  var sp: array<f32, TM>; // s_{i,pos_i}, seen by one lane only
  var so: array<f32, TM>; // max of the row's other valid logits (a tie with the positive is a miss)
  var ra: array<f32, TM>;
  var pi: array<u32, TM>;
  for (var i = 0u; i < TM; i++) {
    let row = min(r0 + i, p.m - 1u);
    ra[i] = aux_w[p.ra_off + row] * p.inv_tau;
    pi[i] = u32(pos[row]);
    mx[i] = NEG; sm[i] = 0.0; sp[i] = NEG; so[i] = NEG;
  }
  for (var c0 = 0u; c0 < p.n; c0 += 4u * SG) {
    let acc = s_tile(r0, c0, lane);
    let cols = vec4u(c0 + 4u * lane) + vec4u(0u, 1u, 2u, 3u);
    let rb = vec4f(aux_w[p.rb_off + min(cols.x, p.n - 1u)], aux_w[p.rb_off + min(cols.y, p.n - 1u)],
                   aux_w[p.rb_off + min(cols.z, p.n - 1u)], aux_w[p.rb_off + min(cols.w, p.n - 1u)]);
    let inn = cols < vec4u(p.n);
    for (var i = 0u; i < TM; i++) {
      let s = acc[i] * rb * ra[i];
      let ok = inn & !((vec4u(r0 + i) == cols) & vec4<bool>(p.mask_self == 1u))
               & !((cols < vec4u(p.n1)) & (cols != vec4u(pi[i])) & vec4<bool>(p.mask_self == 2u));
      let sv = select(vec4f(NEG), s, ok);
      let hp = select(vec4f(NEG), s, cols == vec4u(pi[i]));
      sp[i] = max(sp[i], max(max(hp.x, hp.y), max(hp.z, hp.w)));
      let ho = select(vec4f(NEG), s, ok & (cols != vec4u(pi[i])));
      so[i] = max(so[i], max(max(ho.x, ho.y), max(ho.z, ho.w)));
      let mnew = max(mx[i], max(max(sv.x, sv.y), max(sv.z, sv.w)));
      let e = select(vec4f(0.0), exp(sv - vec4f(mnew)), ok);
      sm[i] = sm[i] * exp(mx[i] - mnew) + (e.x + e.y) + (e.z + e.w);
      mx[i] = mnew;
    }
  }
  for (var i = 0u; i < TM; i++) {
    let m = subgroupMax(mx[i]);
    let l = subgroupAdd(sm[i] * exp(mx[i] - m));
    let s_pos = subgroupMax(sp[i]);
    let s_other = subgroupMax(so[i]);
    let row = r0 + i;
    if (lane == i % SG && row < p.m) {
      let lse = m + log(l);
      aux_w[p.lr_off + row] = lse;
      stats[2u * (p.stat_off + row)] = lse - s_pos;
      stats[2u * (p.stat_off + row) + 1u] = select(0.0, 1.0, s_pos > s_other);
    }
  }
}

// Backward: per column tile, P_ij = wr·(exp(s_ij − lr_i) − δ_ij) + wc·(exp(s_ij − lc_j) − δ_ij)
// (0 where excluded), then out_i += Σ_j P_ij·rb_j·b_j. Lane l owns output vec4s dc4 + SG·c + l
// (chunk c < DCH, one TM-row accumulator array per chunk) of the TM rows; P reaches the lanes
// through subgroupShuffle, each b_j vec4 load feeds TM multiply-adds. Grid z walks chunks of
// 4·SG·DCH output columns. Every loop over i has a small body: Mesa unrolls a constant-trip loop
// only while trip count × body size stays under a limit, and a loop left rolled turns its
// private arrays into run-time-indexed memory (slow).
const DCH: u32 = 4u; // template slot: min(4, ⌈d / (4·SG)⌉), set by the launcher

// o[i] += Σ_t pv[i][t] · b_t   (4 columns of P, their 4 b-row vec4s of one output chunk)
fn pb(o: ptr<function, array<vec4f, TM>>, pv: ptr<function, array<vec4f, TM>>, b0: vec4f, b1: vec4f, b2: vec4f, b3: vec4f) {
  for (var i = 0u; i < TM; i++) {
    let v = (*pv)[i];
    (*o)[i] = v.w * b3 + (v.z * b2 + (v.y * b1 + (v.x * b0 + (*o)[i])));
  }
}

fn store_chunk(o: ptr<function, array<vec4f, TM>>, r0: u32, k: u32, K4: u32) {
  if (k >= K4) { return; }
  for (var i = 0u; i < TM; i++) {
    let row = r0 + i;
    if (row < p.m) { out[row * K4 + k] = (*o)[i] * p.inv_tau; }
  }
}

@compute @workgroup_size(SG)
fn backward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
            @builtin(subgroup_invocation_id) lane: u32) {
  let r0 = first_row(wid, nwg);
  if (r0 >= p.m) { return; }
  let K4 = p.d / 4u;
  let dc4 = wid.z * SG * DCH + lane; // this lane's output vec4s: dc4 + SG·c
  var lr: array<f32, TM>;
  var ra: array<f32, TM>;
  var pi: array<i32, TM>;
  var fr: array<f32, TM>; // e^{lr_i} (fast_exp)
  let fast = p.fast_exp == 1u && p.wr != 0.0 && p.wc != 0.0;
  for (var i = 0u; i < TM; i++) {
    let row = min(r0 + i, p.m - 1u);
    lr[i] = aux[p.lr_off + row];
    fr[i] = select(0.0, exp(lr[i]), fast);
    ra[i] = aux[p.ra_off + row] * p.inv_tau;
    pi[i] = pos[row];
  }
  // output vec4 indices, clamped for loading
  let q0 = min(dc4, K4 - 1u); let q1 = min(dc4 + SG, K4 - 1u);
  let q2 = min(dc4 + 2u * SG, K4 - 1u); let q3 = min(dc4 + 3u * SG, K4 - 1u);
  var o0: array<vec4f, TM>; var o1: array<vec4f, TM>;
  var o2: array<vec4f, TM>; var o3: array<vec4f, TM>;

  for (var c0 = 0u; c0 < p.n; c0 += 4u * SG) {
    let acc = s_tile(r0, c0, lane);
    let cols = vec4u(c0 + 4u * lane) + vec4u(0u, 1u, 2u, 3u);
    let cc = min(cols, vec4u(p.n - 1u));
    let rb = vec4f(aux[p.rb_off + cc.x], aux[p.rb_off + cc.y], aux[p.rb_off + cc.z], aux[p.rb_off + cc.w]);
    var lc = vec4f(0.0);
    if (p.wc != 0.0) { lc = vec4f(aux[p.lc_off + cc.x], aux[p.lc_off + cc.y], aux[p.lc_off + cc.z], aux[p.lc_off + cc.w]); }
    var pc = vec4i(-1);
    if (p.delta_from_col == 1u) { pc = vec4i(pos[cc.x], pos[cc.y], pos[cc.z], pos[cc.w]); }
    let inn = cols < vec4u(p.n);
    let hc = p.wc * exp(-lc); // fast: wc·e^{−lc_j}
    var g: array<vec4f, TM>;
    for (var i = 0u; i < TM; i++) {
      let row = r0 + i;
      let s = acc[i] * rb * ra[i];
      // a zero weight skips its term (its LSE slot may hold anything)
      var gi = vec4f(0.0);
      if (fast) {
        gi = exp(s - vec4f(lr[i])) * (vec4f(p.wr) + fr[i] * hc);
      } else {
        if (p.wr != 0.0) { gi = p.wr * exp(s - vec4f(lr[i])); }
        if (p.wc != 0.0) { gi += p.wc * exp(s - lc); }
      }
      let hit = select(vec4i(cols) == vec4i(pi[i]), pc == vec4i(i32(row)), vec4<bool>(p.delta_from_col == 1u));
      gi -= select(vec4f(0.0), vec4f(p.wr + p.wc), hit);
      let ok = inn & !((vec4u(row) == cols) & vec4<bool>(p.mask_self == 1u)) & vec4<bool>(row < p.m)
               & !((cols < vec4u(p.n1)) & (vec4i(cols) != vec4i(pi[i])) & vec4<bool>(p.mask_self == 2u));
      g[i] = select(vec4f(0.0), gi * rb, ok);
    }
    // columns c0 + 4·jl + 0..3 are lane jl's: P via shuffle, b rows via loads
    let jn = min(SG, (p.n - c0 + 3u) / 4u);
    for (var jl = 0u; jl < jn; jl++) {
      var pv: array<vec4f, TM>;
      for (var i = 0u; i < TM; i++) { pv[i] = subgroupShuffle(g[i], jl); } // P_{r0+i, jb + 0..3}·rb
      let jb = c0 + 4u * jl;
      let k0 = min(jb, p.n - 1u) * K4;
      let k1 = min(jb + 1u, p.n - 1u) * K4;
      let k2 = min(jb + 2u, p.n - 1u) * K4;
      let k3 = min(jb + 3u, p.n - 1u) * K4;
      pb(&o0, &pv, B[k0 + q0], B[k1 + q0], B[k2 + q0], B[k3 + q0]);
      if (DCH > 1u) { pb(&o1, &pv, B[k0 + q1], B[k1 + q1], B[k2 + q1], B[k3 + q1]); }
      if (DCH > 2u) { pb(&o2, &pv, B[k0 + q2], B[k1 + q2], B[k2 + q2], B[k3 + q2]); }
      if (DCH > 3u) { pb(&o3, &pv, B[k0 + q3], B[k1 + q3], B[k2 + q3], B[k3 + q3]); }
    }
  }

  store_chunk(&o0, r0, dc4, K4);
  if (DCH > 1u) { store_chunk(&o1, r0, dc4 + SG, K4); }
  if (DCH > 2u) { store_chunk(&o2, r0, dc4 + 2u * SG, K4); }
  if (DCH > 3u) { store_chunk(&o3, r0, dc4 + 3u * SG, K4); }
}
