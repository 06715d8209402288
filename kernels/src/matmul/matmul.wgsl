// Batched matmul:  C[b] = α · op(A[b]) · op(B[b])  (+ bias[n])  (+ C[b] when accumulate)
//   op(A[b]) is (M, K): A stored (M, K), or (K, M) with transA
//   op(B[b]) is (K, N): B stored (K, N), or (N, K) with transB
//   C (batch, M, N) row-major; A and B batch strides are 0 when broadcast.
//
// Written for CPU-style WebGPU (lavapipe: one workgroup per CPU thread, invocations run as
// 8-wide SIMD lanes). Each invocation owns a TM × TN register tile: TM consecutive rows, TN
// columns strided by WG (lane l of the workgroup holds columns n0 + l + j·WG). The A rows of a
// tile depend only on the workgroup, so every A load has a uniform address: the driver does one
// scalar load + broadcast instead of a gather. B loads are per lane (gathers), TN per k step for
// TM·TN multiply-adds. No workgroup memory and no barriers: on a CPU the caches do the tiling.
// Out-of-range rows/columns are clamped for loading (no branches in the k loop) and skipped
// when storing.
//
// TM sizes private arrays, which need a creation-time constant: a template slot (not an override).
const TM: u32 = 16u; // template slot: rows per invocation
const TN: u32 = 4u;  // columns per invocation

override WG: u32 = 16u; // invocations per workgroup (along N)

struct Params {
  M: u32, N: u32, K: u32,
  tilesN: u32,      // ceil(N / (WG·TN))
  tilesM: u32,      // ceil(M / TM)
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
  let t = tile_of(wid, nwg);
  if (!t.live) { return; }
  let m0 = t.m0;
  let b = t.b;
  let n0 = t.tn * WG * TN + lane;

  // A(m, k) = A[aRow[i] + k·aK]: row offsets are uniform across the workgroup
  var aRow: array<u32, TM>;
  let transA = p.transA != 0u;
  let transB = p.transB != 0u;
  let aK = select(1u, p.M, transA);
  for (var i = 0u; i < TM; i++) {
    let m = min(m0 + i, p.M - 1u);
    aRow[i] = b * p.strideA + select(m * p.K, m, transA);
  }
  // B(k, n) = B[bCol[j] + k·bK]: per lane
  var bCol: array<u32, TN>;
  let bK = select(p.N, 1u, transB);
  for (var j = 0u; j < TN; j++) {
    let n = min(n0 + j * WG, p.N - 1u);
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
    let m = m0 + i;
    if (m >= p.M) { break; }
    let cRow = (b * p.M + m) * p.N;
    for (var j = 0u; j < TN; j++) {
      let n = n0 + j * WG;
      if (n < p.N) {
        var v = p.alpha * acc[i * TN + j];
        if (p.hasBias != 0u) { v += bias[n]; }
        if (p.accumulate != 0u) { v += C[cRow + n]; }
        C[cRow + n] = v;
      }
    }
  }
}
