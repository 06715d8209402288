enable subgroups;
// Batched matmul, fast path for adapters with subgroups (SG lanes: 8 on lavapipe, 32 on most GPUs):
//   C[b] = α · op(A[b]) · op(B[b])  (+ bias[n])  (+ C[b] when accumulate)
// Same math and Params meaning as matmul.wgsl. A workgroup is one subgroup of SG lanes (the
// adapter's smallest subgroup size, gpu.subgroupWidth()); the launcher picks this variant only
// when the vec4 views line up:
//   !TRANS_A: K % 4 == 0 (A read as vec4 along k)    TRANS_A: M % 4 == 0 (vec4 along m)
//   !TRANS_B: N % 4 == 0 (B read as vec4 along n)    TRANS_B: K % 4 == 0 (vec4 along k)
// (TRANS_A with TRANS_B is left to matmul.wgsl.)
//
// Why it looks like this: lavapipe turns every storage load whose address it cannot prove
// uniform into a per-lane loop with a bounds check (about 15 instructions per lane per
// component), and it cannot prove an address uniform once it depends on a loop counter. So the
// count of load components per multiply-add decides the speed, not the arithmetic.
//  - A: one workgroup = one subgroup of SG lanes, TM rows. Each lane loads a *different* vec4 of
//    the A tile (different k), and the tile reaches every lane through subgroupShuffle (a
//    register permute, no memory). SG lanes thus share each load instead of repeating it.
//  - B: lane l owns the 4 consecutive columns n = 4·(SG·tn + l) + 0..3: one vec4 load per k
//    feeds 4·TM multiply-adds.
// Per lane: TM × 4 accumulators (vec4 per row). Out-of-range rows/columns are clamped for
// loading and skipped when storing; the k loop stops exactly at K (runtime trip count, which
// also keeps LLVM from unrolling it: the JIT is already ~40–50 s of CPU per variant at TM = 24).

const TM: u32 = 24u; // rows per workgroup, a multiple of 4 (SG_TM in matmul.ts)

override SG: u32 = 8u; // lanes per subgroup = per workgroup
override TRANS_A: bool = false;
override TRANS_B: bool = false;

struct Params {
  M: u32, N: u32, K: u32,
  tilesN: u32,      // ceil(N / (4·SG))
  tilesM: u32,      // ceil(M / TM)
  tiles: u32,       // tilesN · tilesM · batch
  strideA: u32,     // vec4s between batches of A (0: broadcast)
  strideB: u32,
  alpha: f32,
  hasBias: u32, accumulate: u32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A: array<vec4f>;
@group(0) @binding(2) var<storage, read> B: array<vec4f>;
@group(0) @binding(3) var<storage, read> bias: array<f32>; // (N); any buffer when !hasBias
@group(0) @binding(4) var<storage, read_write> C: array<f32>;

// #include "matmul_tile.inc.wgsl"

@compute @workgroup_size(SG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(subgroup_invocation_id) lane: u32) {
  let t = tile_of(wid, nwg, TM);
  if (!t.live) { return; }
  let m0 = t.m0;
  let b = t.b;
  let aBase = b * p.strideA;
  let bBase = b * p.strideB;
  let K4 = p.K / 4u;
  let c4 = t.tn * SG + lane; // this lane's columns: 4·c4 + 0..3
  let N4 = p.N / 4u;

  var acc: array<vec4f, TM>;
  if (!TRANS_A) {
    // A (M, K) as vec4 along k. Chunk of 4·SG k: lane l holds A[m0 + i, 4·(q0 + l) + 0..3].
    for (var q0 = 0u; q0 < K4; q0 += SG) {
      let q = min(q0 + lane, K4 - 1u);
      let keep = select(0.0, 1.0, q0 + lane < K4);
      var av: array<vec4f, TM>;
      for (var i = 0u; i < TM; i++) { av[i] = A[aBase + min(m0 + i, p.M - 1u) * K4 + q] * keep; }
      let jn = min(SG, K4 - q0); // a runtime trip count: keeps the loop rolled (JIT time)
      for (var j = 0u; j < jn; j++) {
        {
          // op(B) rows k = 4·(q0 + j) + 0..3, this lane's 4 columns
          let qb = q0 + j;
          let kb = 4u * qb;
          var b0: vec4f; var b1: vec4f; var b2: vec4f; var b3: vec4f;
          if (TRANS_B) {
            // B (N, K): column n's 4 k-values are one vec4; transpose the 4×4 block
            let c0 = B[bBase + min(4u * c4, p.N - 1u) * K4 + qb];
            let c1 = B[bBase + min(4u * c4 + 1u, p.N - 1u) * K4 + qb];
            let c2 = B[bBase + min(4u * c4 + 2u, p.N - 1u) * K4 + qb];
            let c3 = B[bBase + min(4u * c4 + 3u, p.N - 1u) * K4 + qb];
            b0 = vec4f(c0.x, c1.x, c2.x, c3.x); b1 = vec4f(c0.y, c1.y, c2.y, c3.y);
            b2 = vec4f(c0.z, c1.z, c2.z, c3.z); b3 = vec4f(c0.w, c1.w, c2.w, c3.w);
          } else {
            let n4 = min(c4, N4 - 1u);
            b0 = B[bBase + kb * N4 + n4]; b1 = B[bBase + (kb + 1u) * N4 + n4];
            b2 = B[bBase + (kb + 2u) * N4 + n4]; b3 = B[bBase + (kb + 3u) * N4 + n4];
          }
          for (var i = 0u; i < TM; i++) {
            let a = subgroupShuffle(av[i], j); // A[m0 + i, kb + 0..3]
            acc[i] = a.x * b0 + acc[i];
            acc[i] = a.y * b1 + acc[i];
            acc[i] = a.z * b2 + acc[i];
            acc[i] = a.w * b3 + acc[i];
          }
        }
      }
    }
  } else {
    // A (K, M) as vec4 along m. Chunk of SG k: lane l holds A[k0 + l, m0 + 4r + 0..3].
    let M4 = p.M / 4u;
    for (var k0 = 0u; k0 < p.K; k0 += SG) {
      let k = min(k0 + lane, p.K - 1u);
      let keep = select(0.0, 1.0, k0 + lane < p.K);
      var av: array<vec4f, TM / 4u>;
      for (var r = 0u; r < TM / 4u; r++) { av[r] = A[aBase + k * M4 + min(m0 / 4u + r, M4 - 1u)] * keep; }
      let jn = min(SG, p.K - k0); // a runtime trip count: keeps the loop rolled (JIT time)
      for (var j = 0u; j < jn; j++) {
        {
          let bv = B[bBase + (k0 + j) * N4 + min(c4, N4 - 1u)];
          for (var r = 0u; r < TM / 4u; r++) {
            let a = subgroupShuffle(av[r], j); // A[k0 + j, m0 + 4r + 0..3]
            acc[4u * r] = a.x * bv + acc[4u * r];
            acc[4u * r + 1u] = a.y * bv + acc[4u * r + 1u];
            acc[4u * r + 2u] = a.z * bv + acc[4u * r + 2u];
            acc[4u * r + 3u] = a.w * bv + acc[4u * r + 3u];
          }
        }
      }
    }
  }

  // epilogue: C = α·acc (+ bias) (+ C)
  for (var i = 0u; i < TM; i++) {
    let m = m0 + i;
    if (m >= p.M) { break; }
    let cRow = (b * p.M + m) * p.N;
    for (var c = 0u; c < 4u; c++) {
      let n = 4u * c4 + c;
      if (n < p.N) {
        var v = p.alpha * acc[i][c];
        if (p.hasBias != 0u) { v += bias[n]; }
        if (p.accumulate != 0u) { v += C[cRow + n]; }
        C[cRow + n] = v;
      }
    }
  }
}
