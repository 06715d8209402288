// The forward's logits, shared by softmax.wgsl and softmax_sg.wgsl: Params, the masked-logit
// sentinel, and where row r's mask row and query position are.
const MASKED_V: f32 = -3.0e38; // a masked logit (finite, so no inf − inf)
const MASKED: f32 = -1.0e38;   // anything at or below counts as masked (an additive −∞ included)

struct Params {
  rows: u32,
  len: u32,
  scale: f32,
  mask_kind: u32,            // 0 none, 1 boolean (nonzero = keep), 2 additive f32
  rows_per_mask_row: u32,    // mask (B, L): row r reads mask row r / rows_per_mask_row
  causal: u32,               // 1: key j is masked when j > (r mod tq) + offset
  tq: u32,
  offset: i32,
  neg_inf: f32,              // −∞, from the host (WGSL constants cannot hold it)
}
@group(0) @binding(0) var<uniform> p: Params;

// row r's mask row, in units of `len` (times len: the row's first mask element)
fn mask_row(r: u32) -> u32 { return r / max(p.rows_per_mask_row, 1u); }

// row r's query position i = r mod tq (causal: key j is masked when j > i + offset)
fn query_pos(r: u32) -> i32 { return i32(r % max(p.tq, 1u)); }
