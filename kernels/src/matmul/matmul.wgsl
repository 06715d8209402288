// Batched matmul:  C[b] = α · op(A[b]) · op(B[b])  (+ bias[n])  (+ C[b] when accumulate)
//   op(A[b]) is (M, K): A stored (M, K), or (K, M) with transA
//   op(B[b]) is (K, N): B stored (K, N), or (N, K) with transB
//   C (batch, M, N) row-major; A and B batch strides are 0 when broadcast.
//
// Written for CPU-style WebGPU (lavapipe: one workgroup per CPU thread, invocations run as
// 8-wide SIMD lanes). Each invocation owns a TM × TN register tile; the lanes of a workgroup run
// along one axis and the other axis is the same in every lane, so its loads have a uniform
// address: the driver does one scalar load + broadcast instead of a gather.
//   LANES_M = 0 (wide products): rows m0 + i (uniform), columns n0 + lane + j·WG: a workgroup
//     covers TM rows × WG·TN columns; per k, TN per-lane B loads feed TM·TN multiply-adds.
//   LANES_M = 1 (narrow products, N ≤ TN: a classifier head, a probe's logits): rows
//     m0 + lane + i·WG, columns 0 .. TN − 1 (uniform): a workgroup covers WG·TM rows × TN columns,
//     so a 10-class head does not compute 54 dead columns per workgroup.
// No workgroup memory and no barriers: on a CPU the caches do the tiling. Out-of-range
// rows/columns are clamped for loading (no branches in the k loop) and skipped when storing.
//
// TM, TN size private arrays, which need a creation-time constant: template slots (not overrides).
const TM: u32 = 16u;     // template slot: rows per invocation
const TN: u32 = 4u;      // template slot: columns per invocation
const LANES_M: u32 = 0u; // template slot: 1 = lanes along M (see above)

override WG: u32 = 16u; // invocations per workgroup

struct Params {
  M: u32, N: u32, K: u32,
  tilesN: u32,      // ceil(N / columns per workgroup)
  tilesM: u32,      // ceil(M / rows per workgroup)
  tiles: u32,       // tilesN · tilesM · batch
  strideA: u32,     // elements between batches of A (0: broadcast)
  strideB: u32,
  alpha: f32,
  // flags (0/1). Runtime, not overrides: they only change strides and the epilogue, and every
  // extra pipeline costs seconds of LLVM compile time on lavapipe.
  transA: u32, transB: u32, hasBias: u32, accumulate: u32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>; // (N); any buffer when !hasBias
@group(0) @binding(4) var<storage, read_write> C: array<f32>;

// #include "matmul_tile.inc.wgsl"

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lane: u32) {
  let alongM = LANES_M != 0u;
  let t = tile_of(wid, nwg, select(TM, TM * WG, alongM));
  if (!t.live) { return; }
  let b = t.b;
  // row i = m0 + i·rowStep, column j = n0 + j·colStep, one of m0 / n0 carrying the lane
  let m0 = t.m0 + select(0u, lane, alongM);
  let n0 = select(t.tn * WG * TN + lane, 0u, alongM);
  let rowStep = select(1u, WG, alongM);
  let colStep = select(WG, 1u, alongM);

  // A(m, k) = A[aRow[i] + k·aK]
  var aRow: array<u32, TM>;
  let transA = p.transA != 0u;
  let transB = p.transB != 0u;
  let aK = select(1u, p.M, transA);
  for (var i = 0u; i < TM; i++) {
    let m = min(m0 + i * rowStep, p.M - 1u);
    aRow[i] = b * p.strideA + select(m * p.K, m, transA);
  }
  // B(k, n) = B[bCol[j] + k·bK]
  var bCol: array<u32, TN>;
  let bK = select(p.N, 1u, transB);
  for (var j = 0u; j < TN; j++) {
    let n = min(n0 + j * colStep, p.N - 1u);
    bCol[j] = b * p.strideB + select(n, n * p.K, transB);
  }

  var acc: array<f32, TM * TN>;
  for (var k = 0u; k < p.K; k++) {
    var bv: array<f32, TN>;
    for (var j = 0u; j < TN; j++) { bv[j] = B[bCol[j] + k * bK]; }
    for (var i = 0u; i < TM; i++) {
      let av = A[aRow[i] + k * aK];
      for (var j = 0u; j < TN; j++) { acc[i * TN + j] = av * bv[j] + acc[i * TN + j]; }
    }
  }

  // epilogue: C = α·acc (+ bias) (+ C)
  for (var i = 0u; i < TM; i++) {
    let m = m0 + i * rowStep;
    if (m >= p.M) { break; }
    let cRow = (b * p.M + m) * p.N;
    for (var j = 0u; j < TN; j++) {
      let n = n0 + j * colStep;
      if (n < p.N) {
        var v = p.alpha * acc[i * TN + j];
        if (p.hasBias != 0u) { v += bias[n]; }
        if (p.accumulate != 0u) { v += C[cRow + n]; }
        C[cRow + n] = v;
      }
    }
  }
}
