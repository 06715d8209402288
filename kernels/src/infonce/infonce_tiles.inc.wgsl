// InfoNCE tiles, shared by infonce_fwd.wgsl and infonce_bwd.wgsl (each #includes this).
//
// Rows a_i (A: m × d) against columns b_j (B: n × d, rows [0, n1) in b1, [n1, n) in b2, so MoCo's
// keys = [k_pos; queue] need no concatenated copy). One logit:
//   s_ij = (a_i · b_j) · ra_i · rb_j · inv_tau,
// ra, rb = 1/‖row‖ when normalising (else 1), read from `aux` at ra_off / rb_off.
// s_ij = −∞ (excluded) when j ≥ n; with mask_self = 1 when i = j; with mask_self = 2 when j < n1
// and j ≠ pos_i (of b1's keys only row i's positive takes part: MoCo's [l_pos | queue] logits).
//
// A workgroup of 64 invocations computes a 32 × 32 tile of S: invocation (ty, tx) = (lid / 8,
// lid % 8) holds rows ty·4 … ty·4+3 × columns tx·4 … tx·4+3 in four vec4 registers. The d axis
// is walked in chunks of BK = 32 staged through workgroup memory, transposed so one vec4 load
// gives 4 rows (qs) or 4 columns (ks) at one depth.

struct Params {
  m: u32,              // rows of A
  n: u32,              // columns (rows of b1 ++ b2)
  n1: u32,             // rows of b1
  d: u32,
  inv_tau: f32,
  mask_self: u32,      // 1: s_ii excluded; 2: s_ij excluded for j < n1, j ≠ pos_i (row passes only)
  ra_off: u32,         // aux offsets: inverse row norms of A, of B
  rb_off: u32,
  lr_off: u32,         // row-LSE of A's rows (forward writes it, backward reads it)
  lc_off: u32,         // column-LSE (backward, symmetric variants)
  wr: f32,             // backward: weight of the row-softmax term
  wc: f32,             // backward: weight of the column-softmax term
  delta_from_col: u32, // backward: positive pairs are pos[col] = row (else pos[row] = col)
  stat_off: u32,       // forward: first row of this pass in `stats`
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b1: array<f32>;
@group(0) @binding(3) var<storage, read> b2: array<f32>;
@group(0) @binding(4) var<storage, read> pos: array<i32>;

const BK: u32 = 32u;
const NEG: f32 = -3.0e38;   // stands for −∞ (exp(NEG − finite) = 0, and no inf arithmetic)

var<workgroup> qs: array<vec4f, 256>;  // [BK][32 rows / 4]
var<workgroup> ks: array<vec4f, 256>;  // [BK][32 cols / 4]

// Element k of column j of B (0 outside [0, n) × [0, d)).
fn b_at(j: u32, k: u32) -> f32 {
  if (j >= p.n || k >= p.d) { return 0.0; }
  if (j < p.n1) { return b1[j * p.d + k]; }
  return b2[(j - p.n1) * p.d + k];
}

fn a_at(i: u32, k: u32) -> f32 {
  if (i >= p.m || k >= p.d) { return 0.0; }
  return a[i * p.d + k];
}

// Raw dot products (a_i · b_j) of the 32 × 32 tile at (r0, c0): acc[i][jj] for row r0 + ty·4 + i,
// column c0 + tx·4 + jj. Contains barriers: call from workgroup-uniform control flow.
fn dot_tile(r0: u32, c0: u32, lid: u32, tx: u32, ty: u32) -> array<vec4f, 4> {
  var acc: array<vec4f, 4>;
  for (var k0 = 0u; k0 < p.d; k0 += BK) {
    workgroupBarrier();   // the previous chunk's readers are done with qs / ks
    // 64 invocations stage 32 × 32 of A and of B: consecutive lids read consecutive k
    for (var e = 0u; e < 16u; e++) {
      let idx = lid + 64u * e;
      let r = idx / BK;
      let kk = idx % BK;
      qs[kk * 8u + r / 4u][r % 4u] = a_at(r0 + r, k0 + kk);
      ks[kk * 8u + r / 4u][r % 4u] = b_at(c0 + r, k0 + kk);
    }
    workgroupBarrier();
    for (var kk = 0u; kk < BK; kk++) {   // zero-padded past d: a fixed trip count unrolls
      let av = qs[kk * 8u + ty];
      let bv = ks[kk * 8u + tx];
      acc[0] = av.x * bv + acc[0];
      acc[1] = av.y * bv + acc[1];
      acc[2] = av.z * bv + acc[2];
      acc[3] = av.w * bv + acc[3];
    }
  }
  return acc;
}

// 1 where column j takes part in row i's softmax (pi = pos_i).
fn col_valid(i: u32, j: u32, pi: i32) -> bool {
  return j < p.n && !(p.mask_self == 1u && i == j) && !(p.mask_self == 2u && j < p.n1 && i32(j) != pi);
}
