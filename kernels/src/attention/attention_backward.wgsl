// Fused attention backward: recomputes score tiles from Q, K and the saved logsumexp L, so the
// Tq×Tk matrix is never stored, and needs no float atomics: two passes, each owning its outputs.
//   P_ij  = e^(s_ij − L_i)  (0 where masked or row i fully masked),  s_ij = scale·q_i·k_j + a_j
//   D_i   = Σ_c dO_ic·O_ic                               (= Σ_j P_ij dP_ij; recomputed per tile, cheap)
//   dP_ij = dO_i·v_j,   dS_ij = P_ij (dP_ij − D_i)
//   dq_main  (owns query rows i):  dQ_i = scale · Σ_j dS_ij k_j
//   dkv_main (owns key rows j):    dV_j = Σ_i P_ij dO_i,   dK_j = scale · Σ_i dS_ij q_i
// Shapes as the forward: Q, O, dO, dQ (BH, Tq, d); K, V, dK, dV (BH, Tk, d); L (BH, Tq); mask (B, Tk).
// A workgroup owns ROWS rows of one (b, h) and streams the other side through workgroup memory
// in tiles of TILE rows (attention_tiles.inc.wgsl); q is pre-multiplied by scale wherever it
// enters a score. 2·TILE·D4·16 + 2·TILE·4 bytes of workgroup memory.

@group(0) @binding(5) var<storage, read> o: array<f32>;
@group(0) @binding(6) var<storage, read> dout: array<f32>;
@group(0) @binding(7) var<storage, read> lse: array<f32>;
@group(0) @binding(8) var<storage, read_write> grad_a: array<f32>;   // dQ (dq_main) or dK (dkv_main)
@group(0) @binding(9) var<storage, read_write> grad_b: array<f32>;   // dV (dkv_main)

// element e of source src: 0 q, 1 k, 2 v, 3 O, 4 dO (a constant after inlining)
fn at(src: u32, e: u32) -> f32 {
  switch src {
    case 0u: { return q[e]; }
    case 1u: { return k[e]; }
    case 2u: { return v[e]; }
    case 3u: { return o[e]; }
    default: { return dout[e]; }
  }
}

// #include "attention_tiles.inc.wgsl"

var<workgroup> t2: array<f32, TILE>;          // D_i (dkv_main)

// D_i = dO_i · O_i for query row i of head bh
fn delta(bh: u32, i: u32) -> f32 {
  let nd4 = (p.d + 3u) / 4u;
  let base = (bh * p.tq + i) * p.d;
  var acc = vec4f(0.0);
  for (var c = 0u; c < nd4; c++) { acc += load4(4u, base, c) * load4(3u, base, c); }
  return dot(acc, vec4f(1.0));
}

// P_ij from a biased score (MASKED_V when masked) and L_i (−∞ for a fully masked row)
fn prob(s: f32, l: f32) -> f32 {
  return select(0.0, exp(s - l), s > MASKED && l > MASKED);
}

@compute @workgroup_size(ROWS)
fn dq_main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let t = owned_tile(wid, nwg);
  let row = own_row(t, lid, p.tq);  // this invocation's query row i
  let i = row.r;
  let nd4 = (p.d + 3u) / 4u;

  var qi: array<vec4f, DMAX4>;
  var doi: array<vec4f, DMAX4>;
  var dq: array<vec4f, DMAX4>;
  for (var c = 0u; c < nd4; c++) {
    qi[c] = select(vec4f(0.0), p.scale * load4(0u, row.base, c), row.live);
    doi[c] = select(vec4f(0.0), load4(4u, row.base, c), row.live);
    dq[c] = vec4f(0.0);
  }
  let di = select(0.0, delta(t.bh, i), row.live);
  let li = select(MASKED_V, lse[t.bh * p.tq + i], row.live);

  let kend = key_end(t.r0);
  for (var k0 = 0u; k0 < kend; k0 += TILE) {
    stage_keys(t.bh, t.b, k0, lid);
    for (var jj = 0u; jj < p.tile; jj++) {
      var sv = vec4f(0.0);
      var dpv = vec4f(0.0);
      for (var c = 0u; c < nd4; c++) {
        sv += qi[c] * ta[jj * D4 + c];
        dpv += doi[c] * tb[jj * D4 + c];
      }
      var s = dot(sv, vec4f(1.0)) + t1[jj];
      if (p.causal != 0u && i32(k0 + jj) > i32(i) + p.offset) { s = MASKED_V; }
      let ds = prob(s, li) * (dot(dpv, vec4f(1.0)) - di);
      for (var c = 0u; c < nd4; c++) { dq[c] += ds * ta[jj * D4 + c]; }
    }
  }

  if (!row.live) { return; }
  for (var c = 0u; c < nd4; c++) {
    let r = p.scale * dq[c];
    for (var cc = 0u; cc < 4u; cc++) {
      let col = 4u * c + cc;
      if (col < p.d) { grad_a[row.base + col] = r[cc]; }
    }
  }
}

@compute @workgroup_size(ROWS)
fn dkv_main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let t = owned_tile(wid, nwg);
  let row = own_row(t, lid, p.tk);  // this invocation's key row j
  let j = row.r;
  let nd4 = (p.d + 3u) / 4u;

  var kj: array<vec4f, DMAX4>;
  var vj: array<vec4f, DMAX4>;
  var dk: array<vec4f, DMAX4>;
  var dv: array<vec4f, DMAX4>;
  for (var c = 0u; c < nd4; c++) {
    kj[c] = select(vec4f(0.0), load4(1u, row.base, c), row.live);
    vj[c] = select(vec4f(0.0), load4(2u, row.base, c), row.live);
    dk[c] = vec4f(0.0);
    dv[c] = vec4f(0.0);
  }
  let bj = key_bias(t.b, j);

  // causal: query i sees key j only when i ≥ j − offset; start at the workgroup's first key
  var istart = 0u;
  if (p.causal != 0u) { istart = u32(clamp(i32(t.r0) - p.offset, 0, i32(p.tq))); }
  for (var i0 = istart; i0 < p.tq; i0 += TILE) {
    workgroupBarrier();
    for (var e = lid; e < TILE * D4; e += ROWS) {
      let i = i0 + e / D4;
      let qbase = (t.bh * p.tq + i) * p.d;
      ta[e] = select(vec4f(0.0), p.scale * load4(0u, qbase, e % D4), i < p.tq);
      tb[e] = select(vec4f(0.0), load4(4u, qbase, e % D4), i < p.tq);
    }
    for (var ii = lid; ii < TILE; ii += ROWS) {
      let i = i0 + ii;
      t1[ii] = select(MASKED_V, lse[t.bh * p.tq + min(i, p.tq - 1u)], i < p.tq);
      t2[ii] = select(0.0, delta(t.bh, min(i, p.tq - 1u)), i < p.tq);
    }
    workgroupBarrier();

    for (var ii = 0u; ii < p.tile; ii++) {
      var sv = vec4f(0.0);
      var dpv = vec4f(0.0);
      for (var c = 0u; c < nd4; c++) {
        sv += ta[ii * D4 + c] * kj[c];
        dpv += tb[ii * D4 + c] * vj[c];
      }
      var s = dot(sv, vec4f(1.0)) + bj;
      if (p.causal != 0u && i32(j) > i32(i0 + ii) + p.offset) { s = MASKED_V; }
      let pij = prob(s, t1[ii]);
      let ds = pij * (dot(dpv, vec4f(1.0)) - t2[ii]);
      for (var c = 0u; c < nd4; c++) {
        dv[c] += pij * tb[ii * D4 + c];
        dk[c] += ds * ta[ii * D4 + c];
      }
    }
  }

  if (!row.live) { return; }
  for (var c = 0u; c < nd4; c++) {
    for (var cc = 0u; cc < 4u; cc++) {
      let col = 4u * c + cc;
      if (col < p.d) {
        grad_a[row.base + col] = dk[c][cc];
        grad_b[row.base + col] = dv[c][cc];
      }
    }
  }
}
