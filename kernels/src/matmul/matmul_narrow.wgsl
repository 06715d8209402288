// Batched matmul for narrow products, N ≤ 16 (a classifier head, a linear probe's logits):
//   C[b] = α · op(A[b]) · op(B[b])  (+ bias[n])  (+ C[b] when accumulate), the contract of matmul.wgsl.
//
// matmul.wgsl lays its lanes along N, 64 columns per workgroup: with N = 10 it computes 54 dead
// columns for every 10 live ones. Here the lanes run along M instead: invocation l owns RM rows
// (m0 + l + i·WG, strided so that transposed A loads are contiguous across lanes) and all NN = 16
// columns (the ones past N are computed on clamped loads and not stored). B(k, n) then has the
// same address in every lane — one scalar load + broadcast — and A(m, k) is per lane: per k,
// RM + NN loads feed RM·NN multiply-adds.
const NN: u32 = 16u; // columns per invocation: N ≤ NN (the launcher checks)
const RM: u32 = 4u;  // rows per invocation
const WG: u32 = 16u; // invocations per workgroup
const TM: u32 = 64u; // rows per workgroup, RM·WG (tile_of reads it)

struct Params {
  M: u32, N: u32, K: u32,
  tilesN: u32,      // 1
  tilesM: u32,      // ceil(M / TM)
  tiles: u32,       // tilesM · batch
  strideA: u32,     // elements between batches of A (0: broadcast)
  strideB: u32,
  alpha: f32,
  transA: u32, transB: u32, hasBias: u32, accumulate: u32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>; // (N); any buffer when !hasBias
@group(0) @binding(4) var<storage, read_write> C: array<f32>;

// #include "matmul_tile.inc.wgsl"

@compute @workgroup_size(16)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lane: u32) {
  let t = tile_of(wid, nwg);
  if (!t.live) { return; }
  let b = t.b;
  let transA = p.transA != 0u;
  let transB = p.transB != 0u;

  // A(m, k) = A[aRow[i] + k·aK] (m clamped for loading)
  var aRow: array<u32, RM>;
  let aK = select(1u, p.M, transA);
  for (var i = 0u; i < RM; i++) {
    let m = min(t.m0 + lane + i * WG, p.M - 1u);
    aRow[i] = b * p.strideA + select(m * p.K, m, transA);
  }
  // B(k, n) = B[bCol[j] + k·bK], the same in every lane
  var bCol: array<u32, NN>;
  let bK = select(p.N, 1u, transB);
  for (var j = 0u; j < NN; j++) {
    let n = min(j, p.N - 1u);
    bCol[j] = b * p.strideB + select(n, n * p.K, transB);
  }

  var acc: array<f32, RM * NN>;
  for (var k = 0u; k < p.K; k++) {
    var bv: array<f32, NN>;
    for (var j = 0u; j < NN; j++) { bv[j] = B[bCol[j] + k * bK]; }
    for (var i = 0u; i < RM; i++) {
      let av = A[aRow[i] + k * aK];
      for (var j = 0u; j < NN; j++) { acc[i * NN + j] = av * bv[j] + acc[i * NN + j]; }
    }
  }

  // epilogue: C = α·acc (+ bias) (+ C)
  for (var i = 0u; i < RM; i++) {
    let m = t.m0 + lane + i * WG;
    if (m >= p.M) { break; }
    let cRow = (b * p.M + m) * p.N;
    for (var j = 0u; j < NN; j++) {
      if (j < p.N) {
        var v = p.alpha * acc[i * NN + j];
        if (p.hasBias != 0u) { v += bias[j]; }
        if (p.accumulate != 0u) { v += C[cRow + j]; }
        C[cRow + j] = v;
      }
    }
  }
}
