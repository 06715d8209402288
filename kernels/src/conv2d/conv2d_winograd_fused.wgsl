enable subgroups;
// conv2d by Winograd F(2×2, 3×3) (conv2d_winograd.ts): the 16 products and the output transform in
// one pass, on subgroups of SG lanes, for images n0 .. n0 + b − 1:
//   m_ξ = V[ξ] (T, Cin) · U[ξ] (Cin, Cout)        ξ = 4·r + s
//   y[n0 + β, co, 2·th + i, 2·tw + j] = Σ_ξ A[r, i]·A[s, j]·m_ξ[t, co] (+ bias[co])   (clipped at Ho, Wo)
//   A = (Aᵀ)ᵀ = [[1, 0], [1, 1], [1, −1], [0, −1]],  t = (β·tH + th)·tW + tw
// One workgroup = one subgroup of SG lanes: TM rows t × 4·SG columns co, all 16 ξ in turn (m_ξ never
// leaves registers: no Mx array, no output pass). A row's k-values reach every lane by
// subgroupShuffle; lane l owns the columns 4·(SG·tn + l) + 0..3 and the 4 outputs of each of its
// (t, co) as vec4s along co.

override SG: u32 = 8u; // lanes per subgroup = per workgroup
const TM: u32 = 24u; // rows per workgroup (TM in conv2d_winograd.ts)

struct Params {
  M: u32, K4: u32, N4: u32, // T, Cin / 4, Cout / 4
  tilesN: u32,              // ⌈Cout / (4·SG)⌉
  tiles: u32,               // tilesN · ⌈T / TM⌉
  n0: u32,
  ho: u32, wo: u32,
  tH: u32, tW: u32,
  hasBias: u32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A: array<vec4f>;      // V (16, T, Cin)
@group(0) @binding(2) var<storage, read> B: array<vec4f>;      // U (16, Cin, Cout)
@group(0) @binding(3) var<storage, read> bias: array<vec4f>;   // (Cout / 4); any buffer when !hasBias
@group(0) @binding(4) var<storage, read_write> y: array<f32>;  // (N, Cout, Ho, Wo)

const A0 = array<f32, 4>(1.0, 1.0, 1.0, 0.0);  // A[·, 0]
const A1 = array<f32, 4>(0.0, 1.0, -1.0, -1.0); // A[·, 1]

// #include "conv2d_winograd_store.inc.wgsl"

@compute @workgroup_size(SG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(subgroup_invocation_id) lane: u32) {
  let w = wid.x + wid.y * nwg.x;
  if (w >= p.tiles) { return; }
  let tn = w % p.tilesN;
  let m0 = (w / p.tilesN) * TM;
  let K4 = p.K4;
  let N4 = p.N4;
  let c4 = tn * SG + lane; // this lane's columns: 4·c4 + 0..3
  let n4 = min(c4, N4 - 1u);

  // y accumulators: output (i, j) of row r as out[2·i + j][r]
  var out: array<array<vec4f, TM>, 4>;
  for (var b = 0u; b < 16u; b++) {
    let aBase = b * p.M * K4;
    let bBase = b * K4 * 4u * N4;
    var acc: array<vec4f, TM>;
    for (var i = 0u; i < TM; i++) { acc[i] = vec4f(0.0); } // explicit: the declaration alone left ξ − 1's sums here (lavapipe)
    for (var q0 = 0u; q0 < K4; q0 += SG) {
      let q = min(q0 + lane, K4 - 1u);
      var av: array<vec4f, TM>;
      for (var i = 0u; i < TM; i++) { av[i] = A[aBase + min(m0 + i, p.M - 1u) * K4 + q]; }
      let jn = min(SG, K4 - q0); // a runtime trip count: keeps the loop rolled (JIT time)
      for (var j = 0u; j < jn; j++) {
        let kb = bBase + 4u * (q0 + j) * N4;
        let b0 = B[kb + n4];
        let b1 = B[kb + N4 + n4];
        let b2 = B[kb + 2u * N4 + n4];
        let b3 = B[kb + 3u * N4 + n4];
        for (var i = 0u; i < TM; i++) {
          let a = subgroupShuffle(av[i], j); // V[ξ, m0 + i, 4·(q0 + j) + 0..3]
          acc[i] = a.x * b0 + acc[i];
          acc[i] = a.y * b1 + acc[i];
          acc[i] = a.z * b2 + acc[i];
          acc[i] = a.w * b3 + acc[i];
        }
      }
    }
    // y += A[r, i]·A[s, j]·m_ξ
    let r = b / 4u;
    let s = b % 4u;
    let cf = array<f32, 4>(A0[r] * A0[s], A0[r] * A1[s], A1[r] * A0[s], A1[r] * A1[s]);
    for (var k = 0u; k < 4u; k++) {
      for (var i = 0u; i < TM; i++) {
        out[k][i] = cf[k] * acc[i] + out[k][i];
      }
    }
  }
  let rows = min(TM, p.M - m0);
  for (var i = 0u; i < rows; i++) {
    if (c4 < N4) { store_tile(m0 + i, c4, N4, array<vec4f, 4>(out[0][i], out[1][i], out[2][i], out[3][i])); }
  }
}
