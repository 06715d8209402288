// What the portable attention shaders share (attention.wgsl, attention_backward.wgsl): a workgroup
// owns ROWS rows of one (b, h), one invocation per row, and streams the other side through
// workgroup memory in tiles of TILE rows. All loops run to uniform bounds (nd4 = ⌈d/4⌉ from p.d,
// p.tile), so the compiler keeps them rolled: lavapipe compiles at first dispatch, and with the
// column loops unrolled per d a cold compile took 30–100 s per pipeline here. D4 only sizes the
// workgroup tiles (16 or 32). Reads the includer's at(src, e): element e of source src (0 q, 1 k, 2 v).

override D4: u32 = 32u;     // tile row stride in vec4: ≥ ⌈d/4⌉, ≤ DMAX4
override ROWS: u32 = 64u;   // owned rows per workgroup = workgroup size
override TILE: u32 = 32u;   // streamed rows per tile
const DMAX4: u32 = 32u;

struct Params {
  tq: u32,
  tk: u32,
  d: u32,
  heads: u32,            // H: (b, h) = (bh / H, bh mod H) picks the mask row b
  row_tiles: u32,        // ⌈owned rows / ROWS⌉: ⌈Tq/ROWS⌉ (forward, dQ), ⌈Tk/ROWS⌉ (dK, dV)
  scale: f32,
  mask_kind: u32,        // 0 none, 1 boolean (nonzero keeps), 2 additive f32; mask is (B, Tk)
  causal: u32,
  offset: i32,           // causal: key j visible to query i when j ≤ i + offset
  neg_inf: f32,          // −∞ (the L of a fully masked row)
  tile: u32,             // = TILE, as a uniform so the tile loops stay rolled
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> k: array<f32>;
@group(0) @binding(3) var<storage, read> v: array<f32>;
@group(0) @binding(4) var<storage, read> mask: array<u32>;

// #include "attention_mask.inc.wgsl"

var<workgroup> ta: array<vec4f, TILE * D4>;   // K, or Q·scale (attention_backward's dkv_main)
var<workgroup> tb: array<vec4f, TILE * D4>;   // V, or dO (dkv_main)
var<workgroup> t1: array<f32, TILE>;          // key bias a_j, or L_i (dkv_main)

// 4 columns c4·4… of row `base` (an element offset) of a (rows, d) matrix of source src, zero past d
fn load4(src: u32, base: u32, c4: u32) -> vec4f {
  var r = vec4f(0.0);
  for (var c = 0u; c < 4u; c++) {
    let col = 4u * c4 + c;
    if (col < p.d) { r[c] = at(src, base + col); }
  }
  return r;
}

// The workgroup's rows: head bh (batch b), owned rows r0 .. r0 + ROWS − 1 (uniform: workgroup ids
// only); invocation lid owns row r0 + lid.
struct Tile { bh: u32, b: u32, r0: u32 }

fn owned_tile(wid: vec3u, nwg: vec3u) -> Tile {
  let flat = wid.x + wid.y * nwg.x;
  let bh = flat / p.row_tiles;
  return Tile(bh, bh / p.heads, (flat % p.row_tiles) * ROWS);
}

// Invocation lid's row r = r0 + lid of the n owned-side rows (Tq or Tk): live while r < n, and the
// element offset base of that row in (BH, n, d).
struct Row { r: u32, live: bool, base: u32 }

fn own_row(t: Tile, lid: u32, n: u32) -> Row {
  let r = t.r0 + lid;
  return Row(r, r < n, (t.bh * n + r) * p.d);
}

// causal: the keys past (the last of the query rows r0 .. r0 + ROWS − 1) + offset are hidden from all
fn key_end(r0: u32) -> u32 {
  if (p.causal == 0u) { return p.tk; }
  return u32(clamp(i32(r0 + ROWS) + p.offset, 0, i32(p.tk)));
}

// keys k0 .. k0 + TILE − 1 of head bh into workgroup memory: K → ta, V → tb, their bias → t1
fn stage_keys(bh: u32, b: u32, k0: u32, lid: u32) {
  workgroupBarrier();
  for (var e = lid; e < TILE * D4; e += ROWS) {
    let j = k0 + e / D4;
    let kvbase = (bh * p.tk + j) * p.d;
    ta[e] = select(vec4f(0.0), load4(1u, kvbase, e % D4), j < p.tk);
    tb[e] = select(vec4f(0.0), load4(2u, kvbase, e % D4), j < p.tk);
  }
  for (var jj = lid; jj < TILE; jj += ROWS) { t1[jj] = key_bias(b, k0 + jj); }
  workgroupBarrier();
}
