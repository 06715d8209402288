// What attention_sg.wgsl (forward) and attention_backward_sg.wgsl share: the subgroup tile layout
// (read attention_sg.wgsl's header). A workgroup is one subgroup of SG lanes owning TM rows of one
// (b, h); the other side streams in tiles of 4·SG rows, lane l holding streamed rows s0 + 4l + 0..3.
// Reads the includer's ld(src, e): vec4 e of source src (0 q, 1 k, 2 v, 3 dO).

override SG: u32 = 8u; // lanes per subgroup = per workgroup
const TM: u32 = 16u; // template slot: owned rows per workgroup (attentionTuning.sgRowsForward / sgRowsBackward)

struct Params {
  tq: u32,
  tk: u32,
  d4: u32,               // K4 = d / 4
  heads: u32,            // H: (b, h) = (bh / H, bh mod H) picks the mask row b
  row_tiles: u32,        // ⌈owned rows / TM⌉ (Tq for the forward and dQ, Tk for dK, dV)
  groups: u32,           // BH · row_tiles (the grid may be larger)
  scale: f32,
  mask_kind: u32,        // 0 none, 1 boolean (nonzero keeps), 2 additive f32; mask is (B, Tk)
  causal: u32,
  offset: i32,           // causal: key j visible to query i when j ≤ i + offset
  neg_inf: f32,          // −∞ (the L of a fully masked row)
  tm: u32,               // = TM
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> q: array<vec4f>;
@group(0) @binding(2) var<storage, read> k: array<vec4f>;
@group(0) @binding(3) var<storage, read> v: array<vec4f>;
@group(0) @binding(4) var<storage, read> mask: array<u32>;

// #include "attention_mask.inc.wgsl"

// The workgroup's rows: head bh (batch b), owned rows r0 .. r0 + TM − 1; rows of (bh, 0) in Q, O, L
// (qrow0) and in K, V (krow0). live = false for the workgroups past the grid's end.
struct Rows { live: bool, bh: u32, b: u32, r0: u32, qrow0: u32, krow0: u32 }

fn owned_rows(wid: vec3u, nwg: vec3u) -> Rows {
  let flat = wid.x + wid.y * nwg.x;
  let bh = flat / p.row_tiles;
  return Rows(flat < p.groups, bh, bh / p.heads, (flat % p.row_tiles) * TM, bh * p.tq, bh * p.tk);
}

// causal: the keys past (the last of the query rows r0 .. r0 + TM − 1) + offset are hidden from all
fn key_end(r0: u32) -> u32 {
  if (p.causal == 0u) { return p.tk; }
  return u32(clamp(i32(r0 + TM) + p.offset, 0, i32(p.tk)));
}

// the 4 streamed rows s0 + 4·lane + 0..3 of the lane
fn lane_rows(s0: u32, lane: u32) -> vec4u { return vec4u(s0 + 4u * lane) + vec4u(0u, 1u, 2u, 3u); }

// The lane's 4 keys of the key tile k0 .. k0 + 31 (the query-row passes): their indices, their
// vec4 row offsets in K and V (clamped), their mask bias; dropped when the padding mask drops all
// 4·SG keys of the tile (uniform: a subgroupMax), which then adds nothing.
struct KeyTile { keys: vec4u, kb: vec4u, bias: vec4f, dropped: bool }

fn key_tile(t: Rows, k0: u32, lane: u32) -> KeyTile {
  let keys = lane_rows(k0, lane);
  let bias = key_bias4(t.b, keys);
  let dropped = subgroupMax(max(max(bias.x, bias.y), max(bias.z, bias.w))) <= MASKED;
  return KeyTile(keys, (t.krow0 + min(keys, vec4u(p.tk - 1u))) * p.d4, bias, dropped);
}

// lane's vec4 c0 + lane of the TM owned rows r0 + i of source src (rows clamped below n, zero past K4)
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

// acc += W·(rows s0 + 4·jl + 0..3 of source src, lane's column chunk c), for the lanes' jl < jn
fn w_rows(acc: ptr<function, array<vec4f, TM>>, wt: ptr<function, array<vec4f, TM>>, src: u32, row0: u32, s0: u32, n: u32, c: u32) {
  let jn = min(SG, (n - s0 + 3u) / 4u);
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
