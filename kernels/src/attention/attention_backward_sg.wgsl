enable subgroups;
// Fused attention backward, fast path for adapters with 8-lane subgroups (lavapipe). Same math as
// attention_backward.wgsl; the tile layout of attention_sg.wgsl (read it first). d % 4 == 0.
//   P_ij = e^(s_ij − L_i) (0 where masked or row i fully masked),  s_ij = scale·q_i·k_j + a_j
//   D_i = Σ_c dO_ic·O_ic,   dP_ij = dO_i·v_j,   dS_ij = P_ij (dP_ij − D_i)
//   attention_delta.wgsl writes D (BH, Tq) first, then
//   dq_main  (owns TM query rows, streams keys):  dQ_i = scale · Σ_j dS_ij k_j
//   dkv_main (owns TM key rows, streams queries): dV_j = Σ_i P_ij dO_i,  dK_j = scale · Σ_i dS_ij q_i
// Both passes score a (TM × 32) tile the same way: the owned rows' vec4s sit in registers (loaded
// once when d ≤ 32; lane l holds vec4 q0 + l) and reach every lane through subgroupShuffle, lane l
// loads the vec4s of its 4 streamed rows (4×4 transposed). The products with the streamed side (dS·K; Pᵀ·dO, dSᵀ·Q) give lane l the
// output column vec4 8z + l (grid z walks chunks of 32 columns when d > 32, rescoring the tile),
// the tile values arriving through subgroupShuffle.

// The padding-mask skips branch on a subgroupMax result: uniform across the subgroup, though
// the uniformity analysis cannot see it.
diagnostic(off, subgroup_uniformity);

const TM: u32 = 16u; // template slot: owned rows per workgroup (attentionTuning.sgRowsBackward)
const MASKED_V: f32 = -3.0e38;
const MASKED: f32 = -1.0e38;

struct Params {
  tq: u32,
  tk: u32,
  d4: u32,               // K4 = d / 4
  heads: u32,
  row_tiles: u32,        // ⌈owned rows / TM⌉
  groups: u32,           // BH · row_tiles (the grid may be larger)
  scale: f32,
  mask_kind: u32,        // 0 none, 1 boolean (nonzero keeps), 2 additive f32
  causal: u32,
  offset: i32,           // key j visible to query i when j ≤ i + offset
  tm: u32,               // = TM
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> q: array<vec4f>;
@group(0) @binding(2) var<storage, read> k: array<vec4f>;
@group(0) @binding(3) var<storage, read> v: array<vec4f>;
@group(0) @binding(4) var<storage, read> mask: array<u32>;
@group(0) @binding(5) var<storage, read> dout: array<vec4f>;
@group(0) @binding(6) var<storage, read> lse: array<f32>;
@group(0) @binding(7) var<storage, read> delta: array<f32>;            // D (BH, Tq)
@group(0) @binding(8) var<storage, read_write> dq: array<vec4f>;       // dq_main
@group(0) @binding(8) var<storage, read_write> dk: array<vec4f>;       // dkv_main
@group(0) @binding(9) var<storage, read_write> dv: array<vec4f>;

fn key_bias(b: u32, j: u32) -> f32 {
  if (j >= p.tk) { return MASKED_V; }
  if (p.mask_kind == 1u) { return select(0.0, MASKED_V, mask[b * p.tk + j] == 0u); }
  if (p.mask_kind == 2u) { return max(bitcast<f32>(mask[b * p.tk + j]), MASKED_V); }
  return 0.0;
}

fn key_bias4(b: u32, j: vec4u) -> vec4f {
  let jc = b * p.tk + min(j, vec4u(p.tk - 1u));
  var a = vec4f(0.0);
  if (p.mask_kind != 0u) {
    let mv = vec4u(mask[jc.x], mask[jc.y], mask[jc.z], mask[jc.w]);
    if (p.mask_kind == 1u) { a = select(vec4f(0.0), vec4f(MASKED_V), mv == vec4u(0u)); }
    else { a = max(bitcast<vec4f>(mv), vec4f(MASKED_V)); }
  }
  return select(a, vec4f(MASKED_V), j >= vec4u(p.tk));
}

// vec4 element `e` of a (rows, K4) matrix: src 0 q, 1 k, 2 v, 3 dO (a constant after inlining)
fn ld(src: u32, e: u32) -> vec4f {
  switch src {
    case 0u: { return q[e]; }
    case 1u: { return k[e]; }
    case 2u: { return v[e]; }
    default: { return dout[e]; }
  }
}

// lane's vec4 c0 + lane of the TM owned rows r0 + i (rows clamped below n, zero past K4)
fn load_rows(a: ptr<function, array<vec4f, TM>>, src: u32, row0: u32, r0: u32, n: u32, c0: u32, lane: u32) {
  let c = min(c0 + lane, p.d4 - 1u);
  let keep = select(0.0, 1.0, c0 + lane < p.d4);
  // a runtime trip count (p.tm == TM): one load site instead of TM (halves the JIT time)
  for (var i = 0u; i < p.tm; i++) { (*a)[i] = ld(src, (row0 + min(r0 + i, n - 1u)) * p.d4 + c) * keep; }
}

// acc[i] += (a_i's 4 depths shuffled from lane j) · (4 streamed rows' same depths, transposed)
fn dot_tile(acc: ptr<function, array<vec4f, TM>>, a: ptr<function, array<vec4f, TM>>, j: u32, x0: vec4f, x1: vec4f, x2: vec4f, x3: vec4f) {
  let b0 = vec4f(x0.x, x1.x, x2.x, x3.x); let b1 = vec4f(x0.y, x1.y, x2.y, x3.y);
  let b2 = vec4f(x0.z, x1.z, x2.z, x3.z); let b3 = vec4f(x0.w, x1.w, x2.w, x3.w);
  for (var i = 0u; i < TM; i++) {
    let w = subgroupShuffle((*a)[i], j);
    (*acc)[i] = w.w * b3 + (w.z * b2 + (w.y * b1 + (w.x * b0 + (*acc)[i])));
  }
}

// acc[i] += Σ_t w[i][t] · b_t   (4 streamed rows' weights for owned row i, their 4 vec4s)
fn w_acc(acc: ptr<function, array<vec4f, TM>>, w: ptr<function, array<vec4f, TM>>, b0: vec4f, b1: vec4f, b2: vec4f, b3: vec4f) {
  for (var i = 0u; i < TM; i++) {
    let x = (*w)[i];
    (*acc)[i] = x.w * b3 + (x.z * b2 + (x.y * b1 + (x.x * b0 + (*acc)[i])));
  }
}

// acc += W·(src rows base + 4·jl + 0..3, lane's column chunk c), for the lanes' jl < jn
fn w_rows(acc: ptr<function, array<vec4f, TM>>, wt: ptr<function, array<vec4f, TM>>, src: u32, row0: u32, s0: u32, n: u32, c: u32) {
  let jn = min(8u, (n - s0 + 3u) / 4u);
  for (var jl = 0u; jl < jn; jl++) {
    var w: array<vec4f, TM>;
    for (var i = 0u; i < TM; i++) { w[i] = subgroupShuffle((*wt)[i], jl); }
    let jb = s0 + 4u * jl;
    let e0 = (row0 + jb) * p.d4 + c;
    let e1 = (row0 + min(jb + 1u, n - 1u)) * p.d4 + c;
    let e2 = (row0 + min(jb + 2u, n - 1u)) * p.d4 + c;
    let e3 = (row0 + min(jb + 3u, n - 1u)) * p.d4 + c;
    w_acc(acc, &w, ld(src, e0), ld(src, e1), ld(src, e2), ld(src, e3));
  }
}

fn flat_id(wid: vec3u, nwg: vec3u) -> u32 { return wid.x + wid.y * nwg.x; }

@compute @workgroup_size(8)
fn dq_main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
           @builtin(subgroup_invocation_id) lane: u32) {
  let flat = flat_id(wid, nwg);
  if (flat >= p.groups) { return; }
  let bh = flat / p.row_tiles;
  let r0 = (flat % p.row_tiles) * TM;
  let b = bh / p.heads;
  let K4 = p.d4;
  let qrow0 = bh * p.tq;
  let krow0 = bh * p.tk;

  // D_i and L_i of the owned rows (uniform addresses: scalar loads)
  var di: array<f32, TM>;
  var li: array<f32, TM>;
  for (var i = 0u; i < TM; i++) {
    let row = qrow0 + min(r0 + i, p.tq - 1u);
    di[i] = delta[row];
    li[i] = lse[row];
  }

  // lane's vec4 q0 + lane of the owned q_i and dO_i; loaded once when K4 ≤ 8
  var qa: array<vec4f, TM>;
  var da: array<vec4f, TM>;
  var loaded = false;
  var g0: array<vec4f, TM>;
  let oc = wid.z * 8u + lane;       // this lane's dQ column (vec4)

  var kend = p.tk;
  if (p.causal != 0u) { kend = u32(clamp(i32(r0 + TM) + p.offset, 0, i32(p.tk))); }
  for (var k0 = 0u; k0 < kend; k0 += 32u) {
    let keys = vec4u(k0 + 4u * lane) + vec4u(0u, 1u, 2u, 3u);
    let kb = (krow0 + min(keys, vec4u(p.tk - 1u))) * K4;
    // a tile whose 32 keys are all dropped by the padding mask adds nothing
    let bias = key_bias4(b, keys);
    if (subgroupMax(max(max(bias.x, bias.y), max(bias.z, bias.w))) <= MASKED) { continue; }
    var s: array<vec4f, TM>;   // zeroed explicitly: a bare `var` in a loop kept its values on lavapipe
    var dp: array<vec4f, TM>;
    for (var i = 0u; i < TM; i++) { s[i] = vec4f(0.0); dp[i] = vec4f(0.0); }
    for (var q0 = 0u; q0 < K4; q0 += 8u) {
      if (K4 > 8u || !loaded) {
        load_rows(&qa, 0u, qrow0, r0, p.tq, q0, lane);
        load_rows(&da, 3u, qrow0, r0, p.tq, q0, lane);
        loaded = true;
      }
      let jn = min(8u, K4 - q0);
      for (var j = 0u; j < jn; j++) {
        let qb = q0 + j;
        dot_tile(&s, &qa, j, k[kb.x + qb], k[kb.y + qb], k[kb.z + qb], k[kb.w + qb]);
        dot_tile(&dp, &da, j, v[kb.x + qb], v[kb.y + qb], v[kb.z + qb], v[kb.w + qb]);
      }
    }
    var ds: array<vec4f, TM>;
    for (var i = 0u; i < TM; i++) {
      var x = s[i] * p.scale + bias;
      if (p.causal != 0u) { x = select(x, vec4f(MASKED_V), vec4i(keys) > vec4i(i32(r0 + i) + p.offset)); }
      let ok = (x > vec4f(MASKED)) & vec4<bool>(li[i] > MASKED);
      let pij = select(vec4f(0.0), exp(x - vec4f(li[i])), ok);
      ds[i] = pij * (dp[i] - vec4f(di[i]));
    }
    w_rows(&g0, &ds, 1u, krow0, k0, p.tk, min(oc, K4 - 1u));
  }

  for (var i = 0u; i < TM; i++) {
    let row = r0 + i;
    if (row >= p.tq) { break; }
    if (oc < K4) { dq[(qrow0 + row) * K4 + oc] = p.scale * g0[i]; }
  }
}

@compute @workgroup_size(8)
fn dkv_main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
            @builtin(subgroup_invocation_id) lane: u32) {
  let flat = flat_id(wid, nwg);
  if (flat >= p.groups) { return; }
  let bh = flat / p.row_tiles;
  let j0 = (flat % p.row_tiles) * TM;
  let b = bh / p.heads;
  let K4 = p.d4;
  let qrow0 = bh * p.tq;
  let krow0 = bh * p.tk;

  var bj: array<f32, TM>;
  var bmax = MASKED_V;
  for (var i = 0u; i < TM; i++) { bj[i] = key_bias(b, j0 + i); bmax = max(bmax, bj[i]); }
  var ka: array<vec4f, TM>;
  var va: array<vec4f, TM>;
  var loaded = false;
  var gk: array<vec4f, TM>;
  var gv: array<vec4f, TM>;
  let oc = wid.z * 8u + lane;       // this lane's dK, dV column (vec4)

  // causal: query i sees key j only when i ≥ j − offset; start at the workgroup's first key
  var istart = 0u;
  if (p.causal != 0u) { istart = u32(clamp(i32(j0) - p.offset, 0, i32(p.tq))); }
  if (bmax <= MASKED) { istart = p.tq; } // every owned key dropped by the padding mask: dK = dV = 0
  for (var i0 = istart; i0 < p.tq; i0 += 32u) {
    let qs = vec4u(i0 + 4u * lane) + vec4u(0u, 1u, 2u, 3u);
    let qc = qrow0 + min(qs, vec4u(p.tq - 1u));
    let lq = select(vec4f(lse[qc.x], lse[qc.y], lse[qc.z], lse[qc.w]), vec4f(MASKED_V), qs >= vec4u(p.tq));
    let dq4 = vec4f(delta[qc.x], delta[qc.y], delta[qc.z], delta[qc.w]);
    let qb4 = qc * K4;
    var s: array<vec4f, TM>;   // zeroed explicitly: a bare `var` in a loop kept its values on lavapipe
    var dp: array<vec4f, TM>;
    for (var i = 0u; i < TM; i++) { s[i] = vec4f(0.0); dp[i] = vec4f(0.0); }
    for (var q0 = 0u; q0 < K4; q0 += 8u) {
      if (K4 > 8u || !loaded) {
        load_rows(&ka, 1u, krow0, j0, p.tk, q0, lane);
        load_rows(&va, 2u, krow0, j0, p.tk, q0, lane);
        loaded = true;
      }
      let jn = min(8u, K4 - q0);
      for (var j = 0u; j < jn; j++) {
        let qb = q0 + j;
        dot_tile(&s, &ka, j, q[qb4.x + qb], q[qb4.y + qb], q[qb4.z + qb], q[qb4.w + qb]);
        dot_tile(&dp, &va, j, dout[qb4.x + qb], dout[qb4.y + qb], dout[qb4.z + qb], dout[qb4.w + qb]);
      }
    }
    var pt: array<vec4f, TM>;   // P_ij of key j0 + i (row) and the lane's 4 queries
    var dst: array<vec4f, TM>;
    let lq_ok = lq > vec4f(MASKED);
    for (var i = 0u; i < TM; i++) {
      var x = s[i] * p.scale + vec4f(bj[i]);
      if (p.causal != 0u) { x = select(x, vec4f(MASKED_V), vec4i(i32(j0 + i)) > vec4i(qs) + vec4i(p.offset)); }
      let pij = select(vec4f(0.0), exp(x - lq), (x > vec4f(MASKED)) & lq_ok);
      pt[i] = pij;
      dst[i] = pij * (dp[i] - dq4);
    }
    w_rows(&gv, &pt, 3u, qrow0, i0, p.tq, min(oc, K4 - 1u));
    w_rows(&gk, &dst, 0u, qrow0, i0, p.tq, min(oc, K4 - 1u));
  }

  for (var i = 0u; i < TM; i++) {
    let row = j0 + i;
    if (row >= p.tk) { break; }
    let e = (krow0 + row) * K4 + oc;
    if (oc < K4) { dk[e] = p.scale * gk[i]; dv[e] = gv[i]; }
  }
}
