enable subgroups;
// Fused attention forward, fast path for adapters with 8-lane subgroups (lavapipe). Same math and
// outputs as attention.wgsl (read it for the masks); the launcher picks it only when the subgroup
// size is exactly 8 and d % 4 == 0, so Q, K, V and O are vec4 views (K4 = d/4 per row).
//   s_ij = scale·q_i·k_j + a_j,   O_i = Σ_j e^(s_ij − m_i) v_j / ℓ_i,   L_i = m_i + log ℓ_i
// Why it looks like this (see matmul/matmul_sg.wgsl): lavapipe pays per load instruction whose
// address is not uniform, so every load is a vec4 that feeds TM rows' multiply-adds.
// One workgroup = one subgroup of 8 lanes = TM query rows of one (b, h). Keys stream in tiles of 32:
//  - S (TM × 32): lane l owns keys k0 + 4l + 0..3. Per 32 depths, lane l holds q_i[vec4 q0 + l] of
//    the TM rows (registers; loaded once when d ≤ 32) and the rows reach every lane through
//    subgroupShuffle; each lane loads its 4 keys' vec4 (4×4 transposed): 4 loads feed 4·TM FMAs.
//  - online softmax: the tile's row max through subgroupMax (uniform m_i, so every lane rescales
//    its O columns alike); ℓ_i stays a per-lane partial sum until the end (subgroupAdd).
//  - P·V: lane l owns O column vec4 8z + l (grid z walks chunks of 32 columns when d > 32: each
//    chunk rescores the tile, a pipeline per chunk count would cost JIT time); P reaches the lanes
//    through subgroupShuffle, each V-row vec4 load feeds TM FMAs.
// Loops over depth and keys have runtime trip counts (kept rolled: JIT time); loops over the TM
// rows are constant and unroll, so the per-row arrays stay in registers.

// The padding-mask skips branch on a subgroupMax result: uniform across the subgroup, though
// the uniformity analysis cannot see it.
diagnostic(off, subgroup_uniformity);

const TM: u32 = 16u; // template slot: query rows per workgroup (attentionTuning.sgRowsForward)
const MASKED_V: f32 = -3.0e38;
const MASKED: f32 = -1.0e38;

struct Params {
  tq: u32,
  tk: u32,
  d4: u32,               // K4 = d / 4
  heads: u32,
  q_tiles: u32,          // ⌈Tq / TM⌉
  groups: u32,           // BH · q_tiles (the grid may be larger)
  scale: f32,
  mask_kind: u32,        // 0 none, 1 boolean (nonzero keeps), 2 additive f32; mask is (B, Tk)
  causal: u32,
  offset: i32,           // causal: key j visible to query i when j ≤ i + offset
  neg_inf: f32,
  tm: u32,               // = TM
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> q: array<vec4f>;
@group(0) @binding(2) var<storage, read> k: array<vec4f>;
@group(0) @binding(3) var<storage, read> v: array<vec4f>;
@group(0) @binding(4) var<storage, read> mask: array<u32>;
@group(0) @binding(5) var<storage, read_write> o: array<vec4f>;
@group(0) @binding(6) var<storage, read_write> lse: array<f32>;

// a_j of the lane's 4 keys j (MASKED_V when dropped or past Tk)
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

// lane's vec4 q0 + lane of the TM rows r0 + i (rows clamped, zero past K4)
fn load_rows(a: ptr<function, array<vec4f, TM>>, row0: u32, r0: u32, q0: u32, lane: u32) {
  let c = min(q0 + lane, p.d4 - 1u);
  let keep = select(0.0, 1.0, q0 + lane < p.d4);
  // a runtime trip count (p.tm == TM): one load site instead of TM (halves the JIT time)
  for (var i = 0u; i < p.tm; i++) { (*a)[i] = q[(row0 + min(r0 + i, p.tq - 1u)) * p.d4 + c] * keep; }
}

// acc[i] += Σ_t pv[i][t] · b_t   (4 keys' P of row i, their 4 V-row vec4s of one column chunk)
fn pv_acc(acc: ptr<function, array<vec4f, TM>>, pv: ptr<function, array<vec4f, TM>>, b0: vec4f, b1: vec4f, b2: vec4f, b3: vec4f) {
  for (var i = 0u; i < TM; i++) {
    let w = (*pv)[i];
    (*acc)[i] = w.w * b3 + (w.z * b2 + (w.y * b1 + (w.x * b0 + (*acc)[i])));
  }
}

fn scale_rows(acc: ptr<function, array<vec4f, TM>>, f: ptr<function, array<f32, TM>>) {
  for (var i = 0u; i < TM; i++) { (*acc)[i] *= (*f)[i]; }
}

fn store_rows(acc: ptr<function, array<vec4f, TM>>, f: ptr<function, array<f32, TM>>, row0: u32, r0: u32, c: u32) {
  if (c >= p.d4) { return; }
  for (var i = 0u; i < TM; i++) {
    if (r0 + i < p.tq) { o[(row0 + r0 + i) * p.d4 + c] = (*acc)[i] * (*f)[i]; }
  }
}

@compute @workgroup_size(8)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(subgroup_invocation_id) lane: u32) {
  let flat = wid.x + wid.y * nwg.x;
  if (flat >= p.groups) { return; }
  let bh = flat / p.q_tiles;
  let r0 = (flat % p.q_tiles) * TM;
  let b = bh / p.heads;
  let K4 = p.d4;
  let qrow0 = bh * p.tq;   // row of (bh, 0) in Q, O, L
  let krow0 = bh * p.tk;   // row of (bh, 0) in K, V

  var qa: array<vec4f, TM>;   // lane's vec4 q0 + lane of the TM rows; loaded once when K4 ≤ 8
  var loaded = false;
  var m: array<f32, TM>;
  var l: array<f32, TM>;
  for (var i = 0u; i < TM; i++) { m[i] = MASKED_V; l[i] = 0.0; }
  var o0: array<vec4f, TM>;
  let oc = wid.z * 8u + lane;       // this lane's O column (vec4)
  let c0 = min(oc, K4 - 1u);        // clamped for loading V

  // causal: keys past r0 + TM − 1 + offset are hidden from every row here
  var kend = p.tk;
  if (p.causal != 0u) { kend = u32(clamp(i32(r0 + TM) + p.offset, 0, i32(p.tk))); }
  for (var k0 = 0u; k0 < kend; k0 += 32u) {
    let keys = vec4u(k0 + 4u * lane) + vec4u(0u, 1u, 2u, 3u);
    let kb = (krow0 + min(keys, vec4u(p.tk - 1u))) * K4;
    // a tile whose 32 keys are all dropped by the padding mask adds nothing
    let bias = key_bias4(b, keys);
    if (subgroupMax(max(max(bias.x, bias.y), max(bias.z, bias.w))) <= MASKED) { continue; }
    // (explicitly zeroed: a bare `var` inside the loop kept the last tile's values on lavapipe)
    var acc: array<vec4f, TM>;
    for (var i = 0u; i < TM; i++) { acc[i] = vec4f(0.0); }
    for (var q0 = 0u; q0 < K4; q0 += 8u) {
      if (K4 > 8u || !loaded) { load_rows(&qa, qrow0, r0, q0, lane); loaded = true; }
      let jn = min(8u, K4 - q0);
      for (var j = 0u; j < jn; j++) {
        let qb = q0 + j;
        let x0 = k[kb.x + qb]; let x1 = k[kb.y + qb]; let x2 = k[kb.z + qb]; let x3 = k[kb.w + qb];
        let b0 = vec4f(x0.x, x1.x, x2.x, x3.x); let b1 = vec4f(x0.y, x1.y, x2.y, x3.y);
        let b2 = vec4f(x0.z, x1.z, x2.z, x3.z); let b3 = vec4f(x0.w, x1.w, x2.w, x3.w);
        for (var i = 0u; i < TM; i++) {
          let a = subgroupShuffle(qa[i], j); // q_{r0+i}[4·qb + 0..3]
          acc[i] = a.w * b3 + (a.z * b2 + (a.y * b1 + (a.x * b0 + acc[i])));
        }
      }
    }

    // online softmax over this tile: uniform new max per row, one rescale
    var pr: array<vec4f, TM>;
    var corr: array<f32, TM>;
    for (var i = 0u; i < TM; i++) {
      var s = acc[i] * p.scale + bias;
      if (p.causal != 0u) { s = select(s, vec4f(MASKED_V), vec4i(keys) > vec4i(i32(r0 + i) + p.offset)); }
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
    let jn = min(8u, (p.tk - k0 + 3u) / 4u);
    for (var jl = 0u; jl < jn; jl++) {
      var pv: array<vec4f, TM>;
      for (var i = 0u; i < TM; i++) { pv[i] = subgroupShuffle(pr[i], jl); }
      let jb = k0 + 4u * jl;
      let v0 = (krow0 + jb) * K4;
      let v1 = (krow0 + min(jb + 1u, p.tk - 1u)) * K4;
      let v2 = (krow0 + min(jb + 2u, p.tk - 1u)) * K4;
      let v3 = (krow0 + min(jb + 3u, p.tk - 1u)) * K4;
      pv_acc(&o0, &pv, v[v0 + c0], v[v1 + c0], v[v2 + c0], v[v3 + c0]);
    }
  }

  // O_i = acc / ℓ_i (0 for a fully masked row), L_i = m_i + log ℓ_i (−∞)
  var inv: array<f32, TM>;
  for (var i = 0u; i < TM; i++) {
    let li = subgroupAdd(l[i]);
    let empty = m[i] <= MASKED;
    inv[i] = select(1.0 / li, 0.0, empty);
    let row = r0 + i;
    if (wid.z == 0u && lane == i % 8u && row < p.tq) { lse[qrow0 + row] = select(m[i] + log(li), p.neg_inf, empty); }
  }
  store_rows(&o0, &inv, qrow0, r0, oc);
}
