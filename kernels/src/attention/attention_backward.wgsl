// Fused attention backward: recomputes score tiles from Q, K and the saved logsumexp L, so the
// Tq×Tk matrix is never stored, and needs no float atomics: two passes, each owning its outputs.
//   P_ij  = e^(s_ij − L_i)  (0 where masked or row i fully masked),  s_ij = scale·q_i·k_j + a_j
//   D_i   = Σ_c dO_ic·O_ic                               (= Σ_j P_ij dP_ij; recomputed per tile, cheap)
//   dP_ij = dO_i·v_j,   dS_ij = P_ij (dP_ij − D_i)
//   dq_main  (owns query rows i):  dQ_i = scale · Σ_j dS_ij k_j
//   dkv_main (owns key rows j):    dV_j = Σ_i P_ij dO_i,   dK_j = scale · Σ_i dS_ij q_i
// Shapes as the forward: Q, O, dO, dQ (BH, Tq, d); K, V, dK, dV (BH, Tk, d); L (BH, Tq); mask (B, Tk).
// A workgroup owns ROWS rows of one (b, h) and streams the other side through workgroup memory
// in tiles of TILE rows; q is pre-multiplied by scale wherever it enters a score.
// All loops run to uniform bounds (nd4 = ⌈d/4⌉ from p.d, p.tile), so the compiler keeps them
// rolled: lavapipe compiles at first dispatch, and with the column loops unrolled per d a cold
// compile took 30–100 s per pipeline here. D4 only sizes the workgroup tiles (16 or 32).

override D4: u32 = 32u;     // tile row stride in vec4: ≥ ⌈d/4⌉, ≤ DMAX4
override ROWS: u32 = 64u;   // owned rows per workgroup = workgroup size
override TILE: u32 = 32u;   // streamed rows per tile; 2·TILE·D4·16 bytes of workgroup memory
const DMAX4: u32 = 32u;
const MASKED_V: f32 = -3.0e38;
const MASKED: f32 = -1.0e38;

struct Params {
  tq: u32,
  tk: u32,
  d: u32,
  heads: u32,
  row_tiles: u32,        // ⌈owned rows / ROWS⌉: ⌈Tq/ROWS⌉ for dq_main, ⌈Tk/ROWS⌉ for dkv_main
  scale: f32,
  mask_kind: u32,        // 0 none, 1 boolean (nonzero keeps), 2 additive f32
  causal: u32,
  offset: i32,           // key j visible to query i when j ≤ i + offset
  tile: u32,             // = TILE, as a uniform so the tile loops stay rolled
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> k: array<f32>;
@group(0) @binding(3) var<storage, read> v: array<f32>;
@group(0) @binding(4) var<storage, read> mask: array<u32>;
@group(0) @binding(5) var<storage, read> o: array<f32>;
@group(0) @binding(6) var<storage, read> dout: array<f32>;
@group(0) @binding(7) var<storage, read> lse: array<f32>;
@group(0) @binding(8) var<storage, read_write> grad_a: array<f32>;   // dQ (dq_main) or dK (dkv_main)
@group(0) @binding(9) var<storage, read_write> grad_b: array<f32>;   // dV (dkv_main)

var<workgroup> ta: array<vec4f, TILE * D4>;   // K (dq_main) or Q·scale (dkv_main)
var<workgroup> tb: array<vec4f, TILE * D4>;   // V (dq_main) or dO (dkv_main)
var<workgroup> t1: array<f32, TILE>;          // key bias a_j (dq_main) or L_i (dkv_main)
var<workgroup> t2: array<f32, TILE>;          // D_i (dkv_main)

// 4 columns of row `base` (an element offset) of a (rows, d) matrix, zero past d
fn load4(src: u32, base: u32, c4: u32) -> vec4f {
  var r = vec4f(0.0);
  for (var c = 0u; c < 4u; c++) {
    let col = 4u * c4 + c;
    if (col < p.d) {
      switch src {
        case 0u: { r[c] = q[base + col]; }
        case 1u: { r[c] = k[base + col]; }
        case 2u: { r[c] = v[base + col]; }
        case 3u: { r[c] = o[base + col]; }
        default: { r[c] = dout[base + col]; }
      }
    }
  }
  return r;
}

fn key_bias(b: u32, j: u32) -> f32 {
  if (j >= p.tk) { return MASKED_V; }
  if (p.mask_kind == 1u) { return select(0.0, MASKED_V, mask[b * p.tk + j] == 0u); }
  if (p.mask_kind == 2u) { return max(bitcast<f32>(mask[b * p.tk + j]), MASKED_V); }
  return 0.0;
}

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
  let flat = wid.x + wid.y * nwg.x;
  let bh = flat / p.row_tiles;
  let q0 = (flat % p.row_tiles) * ROWS;
  let i = q0 + lid;
  let live = i < p.tq;
  let b = bh / p.heads;
  let qbase = (bh * p.tq + i) * p.d;
  let nd4 = (p.d + 3u) / 4u;

  var qi: array<vec4f, DMAX4>;
  var doi: array<vec4f, DMAX4>;
  var dq: array<vec4f, DMAX4>;
  for (var c = 0u; c < nd4; c++) {
    qi[c] = select(vec4f(0.0), p.scale * load4(0u, qbase, c), live);
    doi[c] = select(vec4f(0.0), load4(4u, qbase, c), live);
    dq[c] = vec4f(0.0);
  }
  let di = select(0.0, delta(bh, i), live);
  let li = select(MASKED_V, lse[bh * p.tq + i], live);

  var kend = p.tk;
  if (p.causal != 0u) { kend = u32(clamp(i32(q0 + ROWS) + p.offset, 0, i32(p.tk))); }
  for (var k0 = 0u; k0 < kend; k0 += TILE) {
    workgroupBarrier();
    for (var e = lid; e < TILE * D4; e += ROWS) {
      let j = k0 + e / D4;
      let kvbase = (bh * p.tk + j) * p.d;
      ta[e] = select(vec4f(0.0), load4(1u, kvbase, e % D4), j < p.tk);
      tb[e] = select(vec4f(0.0), load4(2u, kvbase, e % D4), j < p.tk);
    }
    for (var jj = lid; jj < TILE; jj += ROWS) { t1[jj] = key_bias(b, k0 + jj); }
    workgroupBarrier();

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

  if (!live) { return; }
  for (var c = 0u; c < nd4; c++) {
    let r = p.scale * dq[c];
    for (var cc = 0u; cc < 4u; cc++) {
      let col = 4u * c + cc;
      if (col < p.d) { grad_a[qbase + col] = r[cc]; }
    }
  }
}

@compute @workgroup_size(ROWS)
fn dkv_main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let flat = wid.x + wid.y * nwg.x;
  let bh = flat / p.row_tiles;
  let j0 = (flat % p.row_tiles) * ROWS;
  let j = j0 + lid;
  let live = j < p.tk;
  let b = bh / p.heads;
  let kbase = (bh * p.tk + j) * p.d;
  let nd4 = (p.d + 3u) / 4u;

  var kj: array<vec4f, DMAX4>;
  var vj: array<vec4f, DMAX4>;
  var dk: array<vec4f, DMAX4>;
  var dv: array<vec4f, DMAX4>;
  for (var c = 0u; c < nd4; c++) {
    kj[c] = select(vec4f(0.0), load4(1u, kbase, c), live);
    vj[c] = select(vec4f(0.0), load4(2u, kbase, c), live);
    dk[c] = vec4f(0.0);
    dv[c] = vec4f(0.0);
  }
  let bj = key_bias(b, j);

  // causal: query i sees key j only when i ≥ j − offset; start at the workgroup's first key
  var istart = 0u;
  if (p.causal != 0u) { istart = u32(clamp(i32(j0) - p.offset, 0, i32(p.tq))); }
  for (var i0 = istart; i0 < p.tq; i0 += TILE) {
    workgroupBarrier();
    for (var e = lid; e < TILE * D4; e += ROWS) {
      let i = i0 + e / D4;
      let qbase = (bh * p.tq + i) * p.d;
      ta[e] = select(vec4f(0.0), p.scale * load4(0u, qbase, e % D4), i < p.tq);
      tb[e] = select(vec4f(0.0), load4(4u, qbase, e % D4), i < p.tq);
    }
    for (var ii = lid; ii < TILE; ii += ROWS) {
      let i = i0 + ii;
      t1[ii] = select(MASKED_V, lse[bh * p.tq + min(i, p.tq - 1u)], i < p.tq);
      t2[ii] = select(0.0, delta(bh, min(i, p.tq - 1u)), i < p.tq);
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

  if (!live) { return; }
  for (var c = 0u; c < nd4; c++) {
    for (var cc = 0u; cc < 4u; cc++) {
      let col = 4u * c + cc;
      if (col < p.d) {
        grad_a[kbase + col] = dk[c][cc];
        grad_b[kbase + col] = dv[c][cc];
      }
    }
  }
}
