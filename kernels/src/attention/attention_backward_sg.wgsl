enable subgroups;
// Fused attention backward, fast path for adapters with subgroups (SG lanes). Same math as
// attention_backward.wgsl; the tile layout of attention_sg.wgsl (read it first). d % 4 == 0.
//   P_ij = e^(s_ij − L_i) (0 where masked or row i fully masked),  s_ij = scale·q_i·k_j + a_j
//   D_i = Σ_c dO_ic·O_ic,   dP_ij = dO_i·v_j,   dS_ij = P_ij (dP_ij − D_i)
//   attention_delta.wgsl writes D (BH, Tq) first, then
//   dq_main  (owns TM query rows, streams keys):  dQ_i = scale · Σ_j dS_ij k_j
//   dkv_main (owns TM key rows, streams queries): dV_j = Σ_i P_ij dO_i,  dK_j = scale · Σ_i dS_ij q_i
// Both passes score a (TM × 4·SG) tile the same way: the owned rows' vec4s sit in registers (loaded
// once when d ≤ 4·SG; lane l holds vec4 q0 + l) and reach every lane through subgroupShuffle, lane l
// loads the vec4s of its 4 streamed rows (4×4 transposed). The products with the streamed side (dS·K; Pᵀ·dO, dSᵀ·Q) give lane l the
// output column vec4 SG·z + l (grid z walks chunks of 4·SG columns when d > 4·SG, rescoring the tile),
// the tile values arriving through subgroupShuffle.

// The padding-mask skips branch on a subgroupMax result: uniform across the subgroup, though
// the uniformity analysis cannot see it.
diagnostic(off, subgroup_uniformity);

@group(0) @binding(5) var<storage, read> dout: array<vec4f>;
@group(0) @binding(6) var<storage, read> lse: array<f32>;
@group(0) @binding(7) var<storage, read> delta: array<f32>;            // D (BH, Tq)
@group(0) @binding(8) var<storage, read_write> dq: array<vec4f>;       // dq_main
@group(0) @binding(8) var<storage, read_write> dk: array<vec4f>;       // dkv_main
@group(0) @binding(9) var<storage, read_write> dv: array<vec4f>;

// vec4 element `e` of a (rows, K4) matrix: src 0 q, 1 k, 2 v, 3 dO (a constant after inlining)
fn ld(src: u32, e: u32) -> vec4f {
  switch src {
    case 0u: { return q[e]; }
    case 1u: { return k[e]; }
    case 2u: { return v[e]; }
    default: { return dout[e]; }
  }
}

// #include "attention_sg.inc.wgsl"

@compute @workgroup_size(SG)
fn dq_main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
           @builtin(subgroup_invocation_id) lane: u32) {
  let t = owned_rows(wid, nwg);
  if (!t.live) { return; }
  let K4 = p.d4;

  // D_i and L_i of the owned rows (uniform addresses: scalar loads)
  var di: array<f32, TM>;
  var li: array<f32, TM>;
  for (var i = 0u; i < TM; i++) {
    let row = t.qrow0 + min(t.r0 + i, p.tq - 1u);
    di[i] = delta[row];
    li[i] = lse[row];
  }

  // lane's vec4 q0 + lane of the owned q_i and dO_i; loaded once when K4 ≤ SG
  var qa: array<vec4f, TM>;
  var da: array<vec4f, TM>;
  var loaded = false;
  var g0: array<vec4f, TM>;
  let oc = wid.z * SG + lane;       // this lane's dQ column (vec4)

  let kend = key_end(t.r0);
  for (var k0 = 0u; k0 < kend; k0 += 4u * SG) {
    let kt = key_tile(t, k0, lane);
    if (kt.dropped) { continue; }
    let kb = kt.kb;
    var s: array<vec4f, TM>;   // zeroed explicitly: a bare `var` in a loop kept its values on lavapipe
    var dp: array<vec4f, TM>;
    for (var i = 0u; i < TM; i++) { s[i] = vec4f(0.0); dp[i] = vec4f(0.0); }
    for (var q0 = 0u; q0 < K4; q0 += SG) {
      if (K4 > SG || !loaded) {
        load_rows(&qa, 0u, t.qrow0, t.r0, p.tq, q0, lane);
        load_rows(&da, 3u, t.qrow0, t.r0, p.tq, q0, lane);
        loaded = true;
      }
      let jn = min(SG, K4 - q0);
      for (var j = 0u; j < jn; j++) {
        let qb = q0 + j;
        dot_tile(&s, &qa, j, k[kb.x + qb], k[kb.y + qb], k[kb.z + qb], k[kb.w + qb]);
        dot_tile(&dp, &da, j, v[kb.x + qb], v[kb.y + qb], v[kb.z + qb], v[kb.w + qb]);
      }
    }
    var ds: array<vec4f, TM>;
    for (var i = 0u; i < TM; i++) {
      var x = s[i] * p.scale + kt.bias;
      if (p.causal != 0u) { x = select(x, vec4f(MASKED_V), vec4i(kt.keys) > vec4i(i32(t.r0 + i) + p.offset)); }
      let ok = (x > vec4f(MASKED)) & vec4<bool>(li[i] > MASKED);
      let pij = select(vec4f(0.0), exp(x - vec4f(li[i])), ok);
      ds[i] = pij * (dp[i] - vec4f(di[i]));
    }
    w_rows(&g0, &ds, 1u, t.krow0, k0, p.tk, min(oc, K4 - 1u));
  }

  for (var i = 0u; i < TM; i++) {
    let row = t.r0 + i;
    if (row >= p.tq) { break; }
    if (oc < K4) { dq[(t.qrow0 + row) * K4 + oc] = p.scale * g0[i]; }
  }
}

@compute @workgroup_size(SG)
fn dkv_main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
            @builtin(subgroup_invocation_id) lane: u32) {
  let t = owned_rows(wid, nwg);
  if (!t.live) { return; }
  let j0 = t.r0;   // the owned key rows j0 .. j0 + TM − 1
  let K4 = p.d4;

  var bj: array<f32, TM>;
  var bmax = MASKED_V;
  for (var i = 0u; i < TM; i++) { bj[i] = key_bias(t.b, j0 + i); bmax = max(bmax, bj[i]); }
  var ka: array<vec4f, TM>;
  var va: array<vec4f, TM>;
  var loaded = false;
  var gk: array<vec4f, TM>;
  var gv: array<vec4f, TM>;
  let oc = wid.z * SG + lane;       // this lane's dK, dV column (vec4)

  // causal: query i sees key j only when i ≥ j − offset; start at the workgroup's first key
  var istart = 0u;
  if (p.causal != 0u) { istart = u32(clamp(i32(j0) - p.offset, 0, i32(p.tq))); }
  if (bmax <= MASKED) { istart = p.tq; } // every owned key dropped by the padding mask: dK = dV = 0
  for (var i0 = istart; i0 < p.tq; i0 += 4u * SG) {
    let qs = lane_rows(i0, lane);
    let qc = t.qrow0 + min(qs, vec4u(p.tq - 1u));
    let lq = select(vec4f(lse[qc.x], lse[qc.y], lse[qc.z], lse[qc.w]), vec4f(MASKED_V), qs >= vec4u(p.tq));
    let dq4 = vec4f(delta[qc.x], delta[qc.y], delta[qc.z], delta[qc.w]);
    let qb4 = qc * K4;
    var s: array<vec4f, TM>;   // zeroed explicitly: a bare `var` in a loop kept its values on lavapipe
    var dp: array<vec4f, TM>;
    for (var i = 0u; i < TM; i++) { s[i] = vec4f(0.0); dp[i] = vec4f(0.0); }
    for (var q0 = 0u; q0 < K4; q0 += SG) {
      if (K4 > SG || !loaded) {
        load_rows(&ka, 1u, t.krow0, j0, p.tk, q0, lane);
        load_rows(&va, 2u, t.krow0, j0, p.tk, q0, lane);
        loaded = true;
      }
      let jn = min(SG, K4 - q0);
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
    w_rows(&gv, &pt, 3u, t.qrow0, i0, p.tq, min(oc, K4 - 1u));
    w_rows(&gk, &dst, 0u, t.qrow0, i0, p.tq, min(oc, K4 - 1u));
  }

  for (var i = 0u; i < TM; i++) {
    let row = j0 + i;
    if (row >= p.tk) { break; }
    let e = (t.krow0 + row) * K4 + oc;
    if (oc < K4) { dk[e] = p.scale * gk[i]; dv[e] = gv[i]; }
  }
}
