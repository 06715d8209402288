enable subgroups;
// conv2d by Winograd F(2×2, 3×3) (conv2d_winograd.ts): the 16 products of the transformed input
// and weight, on 8-lane subgroups (lavapipe), the scheme of matmul_sg.wgsl:
//   Mx[ξ] (T, Cout) = V[ξ] (T, Cin) · U[ξ] (Cin, Cout)     ξ = 0..15, Cin and Cout multiples of 4
// One workgroup = one subgroup of 8 lanes: TM rows t × 32 columns of one ξ. A row's k-values
// reach every lane by subgroupShuffle (each lane loads a different vec4 of k); lane l owns the 4
// columns 4·(8·tn + l) + 0..3 (one vec4 of U per k feeds 4·TM multiply-adds) and stores them as
// vec4s: with K = Cin only 32..128, a scalar epilogue (96 stores per lane) cost as much as the
// k loop, so unlike matmul() this one stores whole vec4s.

const TM: u32 = 24u; // rows per workgroup (TM in conv2d_winograd.ts)

// WIDE: each lane owns two vec4s of columns, 4·(16·tn + l) + 0..3 and 4·(16·tn + 8 + l) + 0..3
// (64 per workgroup): twice the multiply-adds per shuffled A value and per A load. For Cout ≥ 64.
override WIDE: bool = false;

struct Params {
  M: u32, K4: u32, N4: u32, // T, Cin / 4, Cout / 4
  tilesN: u32,              // ⌈Cout / 32⌉, or ⌈Cout / 64⌉ when WIDE
  tilesM: u32,              // ⌈T / TM⌉
  tiles: u32,               // tilesN · tilesM · 16
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A: array<vec4f>;        // V  (16, T, Cin)
@group(0) @binding(2) var<storage, read> B: array<vec4f>;        // U  (16, Cin, Cout)
@group(0) @binding(3) var<storage, read_write> C: array<vec4f>;  // Mx (16, T, Cout)

@compute @workgroup_size(8)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(subgroup_invocation_id) lane: u32) {
  let w = wid.x + wid.y * nwg.x;
  if (w >= p.tiles) { return; }
  let tn = w % p.tilesN;
  let rest = w / p.tilesN;
  let m0 = (rest % p.tilesM) * TM;
  let b = rest / p.tilesM;
  let K4 = p.K4;
  let N4 = p.N4;
  let aBase = b * p.M * K4;
  let bBase = b * K4 * 4u * N4;
  let c4 = tn * select(8u, 16u, WIDE) + lane; // this lane's columns: 4·c4 + 0..3 (and 4·(c4 + 8) + 0..3)
  let n4 = min(c4, N4 - 1u);
  let n4w = min(c4 + 8u, N4 - 1u);

  var acc: array<vec4f, TM>;
  var accw: array<vec4f, TM>;
  // chunks of 32 k: lane l holds A[m0 + i, 4·(q0 + l) + 0..3]
  for (var q0 = 0u; q0 < K4; q0 += 8u) {
    let q = min(q0 + lane, K4 - 1u);
    var av: array<vec4f, TM>;
    for (var i = 0u; i < TM; i++) { av[i] = A[aBase + min(m0 + i, p.M - 1u) * K4 + q]; }
    let jn = min(8u, K4 - q0); // a runtime trip count: keeps the loop rolled (JIT time)
    for (var j = 0u; j < jn; j++) {
      let kb = bBase + 4u * (q0 + j) * N4;
      let b0 = B[kb + n4];
      let b1 = B[kb + N4 + n4];
      let b2 = B[kb + 2u * N4 + n4];
      let b3 = B[kb + 3u * N4 + n4];
      if (WIDE) {
        let w0 = B[kb + n4w];
        let w1 = B[kb + N4 + n4w];
        let w2 = B[kb + 2u * N4 + n4w];
        let w3 = B[kb + 3u * N4 + n4w];
        for (var i = 0u; i < TM; i++) {
          let a = subgroupShuffle(av[i], j); // A[m0 + i, 4·(q0 + j) + 0..3]
          acc[i] = a.x * b0 + acc[i];
          acc[i] = a.y * b1 + acc[i];
          acc[i] = a.z * b2 + acc[i];
          acc[i] = a.w * b3 + acc[i];
          accw[i] = a.x * w0 + accw[i];
          accw[i] = a.y * w1 + accw[i];
          accw[i] = a.z * w2 + accw[i];
          accw[i] = a.w * w3 + accw[i];
        }
      } else {
        for (var i = 0u; i < TM; i++) {
          let a = subgroupShuffle(av[i], j);
          acc[i] = a.x * b0 + acc[i];
          acc[i] = a.y * b1 + acc[i];
          acc[i] = a.z * b2 + acc[i];
          acc[i] = a.w * b3 + acc[i];
        }
      }
    }
  }
  let rows = min(TM, p.M - m0);
  let cBase = b * p.M * N4 + m0 * N4;
  if (c4 < N4) {
    for (var i = 0u; i < rows; i++) { C[cBase + i * N4 + c4] = acc[i]; }
  }
  if (WIDE && c4 + 8u < N4) {
    for (var i = 0u; i < rows; i++) { C[cBase + i * N4 + c4 + 8u] = accw[i]; }
  }
}
