// Fused attention forward (FlashAttention's online softmax): the Tq×Tk score matrix is never stored.
//   Q (BH, Tq, d), K and V (BH, Tk, d), BH = B·H flattened
//   s_ij = scale·q_i·k_j + a_j      (a_j: key padding per (b, j), additive or 0/−∞; causal: −∞ for j > i + offset)
//   O_i  = Σ_j e^(s_ij − m_i) v_j / ℓ_i,   L_i = m_i + log ℓ_i  (logsumexp, saved for the backward)
// A fully masked query row gets O_i = 0 and L_i = −∞.
//
// One workgroup = BQ query rows of one (b, h), one invocation per query row holding q_i and the
// O_i accumulator (d ≤ 128 → 32 vec4). Keys stream through workgroup memory in tiles of BK rows
// (K, V and the per-key bias a_j); per tile each row scores BK keys, rescales once by e^(m−m'),
// then accumulates P·V. Causal: tiles past the last key any row of the workgroup sees are skipped.
// All loops run to uniform bounds (nd4 = ⌈d/4⌉ from p.d, p.tile), so the compiler keeps them
// rolled: lavapipe compiles at first dispatch, and with the column loops unrolled per d a cold
// compile took 30–100 s per pipeline here. D4 only sizes the workgroup tiles (16 or 32).

override D4: u32 = 32u;     // tile row stride in vec4: ≥ ⌈d/4⌉, ≤ DMAX4
override BQ: u32 = 64u;     // query rows per workgroup = workgroup size
override BK: u32 = 32u;     // keys per tile; (2·BK·D4·16 + BQ·BK·4 + BK·4) bytes of workgroup memory
const DMAX4: u32 = 32u;
const MASKED_V: f32 = -3.0e38;
const MASKED: f32 = -1.0e38;

struct Params {
  tq: u32,
  tk: u32,
  d: u32,
  heads: u32,            // H: (b, h) = (bh / H, bh mod H) picks the mask row b
  q_tiles: u32,          // ⌈Tq / BQ⌉
  scale: f32,
  mask_kind: u32,        // 0 none, 1 boolean (nonzero keeps), 2 additive f32; mask is (B, Tk)
  causal: u32,
  offset: i32,           // causal: key j visible to query i when j ≤ i + offset
  neg_inf: f32,
  tile: u32,             // = BK, as a uniform so the key loops stay rolled
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> k: array<f32>;
@group(0) @binding(3) var<storage, read> v: array<f32>;
@group(0) @binding(4) var<storage, read> mask: array<u32>;
@group(0) @binding(5) var<storage, read_write> o: array<f32>;
@group(0) @binding(6) var<storage, read_write> lse: array<f32>;

var<workgroup> ks: array<vec4f, BK * D4>;
var<workgroup> vs: array<vec4f, BK * D4>;
var<workgroup> bias: array<f32, BK>;
var<workgroup> sc: array<f32, BQ * BK>;   // this tile's scores, row lid at [lid·BK …]

// 4 columns c4·4… of row `row` of a (rows, d) matrix, zero past d
fn load4(src: u32, base: u32, c4: u32) -> vec4f {
  var r = vec4f(0.0);
  for (var c = 0u; c < 4u; c++) {
    let col = 4u * c4 + c;
    if (col < p.d) {
      if (src == 0u) { r[c] = q[base + col]; } else if (src == 1u) { r[c] = k[base + col]; } else { r[c] = v[base + col]; }
    }
  }
  return r;
}

// the additive bias a_j of key j for batch b (MASKED_V when dropped or past Tk)
fn key_bias(b: u32, j: u32) -> f32 {
  if (j >= p.tk) { return MASKED_V; }
  if (p.mask_kind == 1u) { return select(0.0, MASKED_V, mask[b * p.tk + j] == 0u); }
  if (p.mask_kind == 2u) { return max(bitcast<f32>(mask[b * p.tk + j]), MASKED_V); }
  return 0.0;
}

@compute @workgroup_size(BQ)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let flat = wid.x + wid.y * nwg.x;
  let bh = flat / p.q_tiles;
  let q0 = (flat % p.q_tiles) * BQ;
  let i = q0 + lid;
  let live = i < p.tq;
  let b = bh / p.heads;
  let qbase = (bh * p.tq + i) * p.d;
  let nd4 = (p.d + 3u) / 4u;

  var qi: array<vec4f, DMAX4>;
  var acc: array<vec4f, DMAX4>;
  for (var c = 0u; c < nd4; c++) {
    qi[c] = select(vec4f(0.0), p.scale * load4(0u, qbase, c), live);
    acc[c] = vec4f(0.0);
  }
  var m = MASKED_V;
  var l = 0.0;

  // keys beyond q0 + BQ − 1 + offset are hidden from every row here when causal
  var kend = p.tk;
  if (p.causal != 0u) { kend = u32(clamp(i32(q0 + BQ) + p.offset, 0, i32(p.tk))); }
  for (var k0 = 0u; k0 < kend; k0 += BK) {
    workgroupBarrier();
    for (var e = lid; e < BK * D4; e += BQ) {
      let j = k0 + e / D4;
      let kvbase = (bh * p.tk + j) * p.d;
      ks[e] = select(vec4f(0.0), load4(1u, kvbase, e % D4), j < p.tk);
      vs[e] = select(vec4f(0.0), load4(2u, kvbase, e % D4), j < p.tk);
    }
    for (var jj = lid; jj < BK; jj += BQ) { bias[jj] = key_bias(b, k0 + jj); }
    workgroupBarrier();

    // scores of this tile, and their max
    let srow = lid * BK;
    var tmax = MASKED_V;
    for (var jj = 0u; jj < p.tile; jj++) {
      var dotv = vec4f(0.0);
      for (var c = 0u; c < nd4; c++) { dotv += qi[c] * ks[jj * D4 + c]; }
      var s = dot(dotv, vec4f(1.0)) + bias[jj];
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
        for (var c = 0u; c < nd4; c++) { acc[c] += pe * vs[jj * D4 + c]; }
      }
      m = mn;
    }
  }

  if (!live) { return; }
  let empty = m <= MASKED;
  let inv = select(1.0 / l, 0.0, empty);
  for (var c = 0u; c < nd4; c++) {
    let r = acc[c] * inv;
    for (var cc = 0u; cc < 4u; cc++) {
      let col = 4u * c + cc;
      if (col < p.d) { o[qbase + col] = r[cc]; }
    }
  }
  lse[bh * p.tq + i] = select(m + log(l), p.neg_inf, empty);
}
