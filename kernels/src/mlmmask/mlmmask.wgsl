// BERT's masked-LM corruption of a token batch, redrawn from (seed, stream) on the GPU:
// choose 15% of the non-special tokens, of those 80% → [MASK], 10% → a random token, 10% kept,
// with exact counts. One workgroup per row b of ids (B, T):
//  1. quotas: n_r = non-special tokens of row r, k_r = max(1, ⌊n_r·q + ½⌋) (0 when n_r = 0), with
//     the rate as q = rate_q / 10⁴ (integer math: the CPU twin gets the same k). K = Σ_r k_r over
//     the batch, M = ⌊0.8K + ½⌋ masked, R = ⌊0.1K + ½⌋ random, K − M − R kept.
//  2. choice: token t of row b draws a key u_t (Threefry, counter b·T + t); its rank among the
//     row's non-special tokens (ties by position) is a uniformly random permutation; t is chosen
//     when rank < k_b.
//  3. role: chosen tokens get batch labels g = O_b + rank (O_b = Σ_{r<b} k_r), rotated by a
//     batch-wide random s: x = (g + s) mod K. Over x the roles interleave evenly (Bresenham):
//     x is [MASK] iff ⌊(x+1)M/K⌋ > ⌊xM/K⌋, exactly M of the K; among the others (index
//     j = x − ⌊xM/K⌋ of K − M) j is random iff ⌊(j+1)R/(K−M)⌋ > ⌊jR/(K−M)⌋, exactly R. Each row
//     gets ≈ 80/10/10 of its tokens and the batch exactly M, R, K − M − R.
// Outputs: inputs (B, T) (the corrupted ids) and targets (B·T): the original id where chosen,
// ignore (−100) elsewhere. Products stay below 2³² while K < 2¹⁶ (the launcher checks B·T).

// #include "../rng/rng.inc.wgsl"

const WG: u32 = 64u;
const MAX_T: u32 = 1024u;

struct Params {
  b: u32,
  t: u32,
  vocab: u32,
  special: u32,      // ids < special are never chosen (PAD, MASK, CLS, SEP)
  mask_id: u32,
  rate_q: u32,       // rate · 10⁴
  mask_q: u32,       // share of [MASK] · 10⁴ (8000)
  random_q: u32,     // share of random tokens · 10⁴ (1000)
  seed: u32,
  stream: u32,
  ignore: i32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> ids: array<i32>;
@group(0) @binding(2) var<storage, read_write> inputs: array<i32>;
@group(0) @binding(3) var<storage, read_write> targets: array<i32>;

var<workgroup> keys: array<u32, MAX_T>;
var<workgroup> eligible: array<u32, MAX_T>;
var<workgroup> total_k: atomic<u32>;
var<workgroup> before_k: atomic<u32>;

fn quota(n: u32, q: u32) -> u32 { return (n * q + 5000u) / 10000u; }

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = wid.x + wid.y * nwg.x;
  if (lid == 0u) { atomicStore(&total_k, 0u); atomicStore(&before_k, 0u); }
  workgroupBarrier();
  // 1. every row's quota k_r: K and this row's offset O_b
  for (var r = lid; r < p.b; r += WG) {
    var n = 0u;
    for (var t = 0u; t < p.t; t++) { n += select(0u, 1u, u32(ids[r * p.t + t]) >= p.special); }
    let k = select(max(1u, quota(n, p.rate_q)), 0u, n == 0u);
    atomicAdd(&total_k, k);
    if (r < row) { atomicAdd(&before_k, k); }
  }
  workgroupBarrier();
  let K = atomicLoad(&total_k);
  let offset = atomicLoad(&before_k);
  if (row >= p.b) { return; }
  let M = quota(K, p.mask_q);
  let R = quota(K, p.random_q);
  let s = threefry2x32(vec2u(p.seed, p.stream), vec2u(0xffffffffu, 0u)).x % max(K, 1u);

  // 2. keys of the row's tokens
  let base = row * p.t;
  for (var t = lid; t < p.t; t += WG) {
    let id = ids[base + t];
    keys[t] = threefry2x32(vec2u(p.seed, p.stream), vec2u(base + t, 0u)).x;
    eligible[t] = select(0u, 1u, u32(id) >= p.special);
  }
  workgroupBarrier();
  var k_b = 0u;
  for (var t = 0u; t < p.t; t++) { k_b += eligible[t]; }
  k_b = select(max(1u, quota(k_b, p.rate_q)), 0u, k_b == 0u);

  // 3. rank → chosen → role
  for (var t = lid; t < p.t; t += WG) {
    let id = ids[base + t];
    var out = id;
    var tgt = p.ignore;
    if (eligible[t] == 1u) {
      let key = keys[t];
      var rank = 0u;
      for (var u = 0u; u < p.t; u++) {
        rank += select(0u, 1u, eligible[u] == 1u && (keys[u] < key || (keys[u] == key && u < t)));
      }
      if (rank < k_b) {
        tgt = id;
        let x = (offset + rank + s) % K;
        if ((x + 1u) * M / K > x * M / K) {
          out = i32(p.mask_id);
        } else {
          let others = K - M;
          let j = x - x * M / K;
          if ((j + 1u) * R / others > j * R / others) {
            let r = threefry2x32(vec2u(p.seed, p.stream), vec2u(base + t, 1u)).x;
            out = i32(p.special + r % (p.vocab - p.special));
          }
        }
      }
    }
    inputs[base + t] = out;
    targets[base + t] = tgt;
  }
}
