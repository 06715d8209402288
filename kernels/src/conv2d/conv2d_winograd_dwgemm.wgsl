enable subgroups;
// conv2d by Winograd F(2×2, 3×3) (conv2d_winograd.ts), dw: the 16 products contracted over tiles,
// on subgroups of SG lanes, the transA scheme of matmul_sg.wgsl:
//   dU[ξ] (Cin, Cout) (+)= V[ξ]ᵀ (Cin, T) · Ŷ[ξ] (T, Cout)     ξ = 0..15, Cin and Cout multiples of 4
// One workgroup = one subgroup of SG lanes: TM rows ci × 4·SG (WIDE: 8·SG) columns co of one ξ, all T.
// Per chunk of SG tiles lane l loads V[ξ, t0 + l, m0 .. m0 + TM − 1] (TM / 4 vec4s) and every lane
// gets each tile's row by subgroupShuffle; lane l owns the columns 4·(SG·tn + l) + 0..3 (WIDE: also
// 4·(SG·tn + SG + l) + 0..3), one vec4 of Ŷ per tile and column group feeding 4·TM multiply-adds.
// TM = 32 = Cin for the 32→64 layer (24-row tiles left a third of 48 rows idle there).

const TM: u32 = 32u; // rows per workgroup (DW_TM in conv2d_winograd.ts)

override SG: u32 = 8u; // lanes per subgroup = per workgroup
override WIDE: bool = false;

struct Params {
  T: u32, M4: u32, N4: u32, // tiles, Cin / 4, Cout / 4
  tilesN: u32,              // ⌈Cout / (4·SG)⌉, or ⌈Cout / (8·SG)⌉ when WIDE
  tilesM: u32,              // ⌈Cin / TM⌉
  tiles: u32,               // tilesN · tilesM · 16
  accumulate: u32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A: array<vec4f>;        // V  (16, T, Cin)
@group(0) @binding(2) var<storage, read> B: array<vec4f>;        // Ŷ  (16, T, Cout)
@group(0) @binding(3) var<storage, read_write> C: array<vec4f>;  // dU (16, Cin, Cout)

@compute @workgroup_size(SG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(subgroup_invocation_id) lane: u32) {
  let w = wid.x + wid.y * nwg.x;
  if (w >= p.tiles) { return; }
  let tn = w % p.tilesN;
  let rest = w / p.tilesN;
  let m0 = (rest % p.tilesM) * TM;
  let b = rest / p.tilesM;
  let M4 = p.M4;
  let N4 = p.N4;
  let aBase = b * p.T * M4;
  let bBase = b * p.T * N4;
  let c4 = tn * select(SG, 2u * SG, WIDE) + lane; // this lane's columns: 4·c4 + 0..3 (and 4·(c4 + SG) + 0..3)
  let n4 = min(c4, N4 - 1u);
  let n4w = min(c4 + SG, N4 - 1u);

  var acc: array<vec4f, TM>;
  var accw: array<vec4f, TM>;
  for (var t0 = 0u; t0 < p.T; t0 += SG) {
    let t = min(t0 + lane, p.T - 1u);
    var av: array<vec4f, TM / 4u>;
    for (var r = 0u; r < TM / 4u; r++) { av[r] = A[aBase + t * M4 + min(m0 / 4u + r, M4 - 1u)]; }
    let jn = min(SG, p.T - t0); // a runtime trip count: keeps the loop rolled (JIT time)
    for (var j = 0u; j < jn; j++) {
      let kb = bBase + (t0 + j) * N4;
      let b0 = B[kb + n4];
      if (WIDE) {
        let w0 = B[kb + n4w];
        for (var r = 0u; r < TM / 4u; r++) {
          let a = subgroupShuffle(av[r], j); // V[ξ, t0 + j, m0 + 4r + 0..3]
          acc[4u * r] = a.x * b0 + acc[4u * r];
          acc[4u * r + 1u] = a.y * b0 + acc[4u * r + 1u];
          acc[4u * r + 2u] = a.z * b0 + acc[4u * r + 2u];
          acc[4u * r + 3u] = a.w * b0 + acc[4u * r + 3u];
          accw[4u * r] = a.x * w0 + accw[4u * r];
          accw[4u * r + 1u] = a.y * w0 + accw[4u * r + 1u];
          accw[4u * r + 2u] = a.z * w0 + accw[4u * r + 2u];
          accw[4u * r + 3u] = a.w * w0 + accw[4u * r + 3u];
        }
      } else {
        for (var r = 0u; r < TM / 4u; r++) {
          let a = subgroupShuffle(av[r], j);
          acc[4u * r] = a.x * b0 + acc[4u * r];
          acc[4u * r + 1u] = a.y * b0 + acc[4u * r + 1u];
          acc[4u * r + 2u] = a.z * b0 + acc[4u * r + 2u];
          acc[4u * r + 3u] = a.w * b0 + acc[4u * r + 3u];
        }
      }
    }
  }
  let rows = min(TM, 4u * M4 - m0);
  let cBase = b * 4u * M4 * N4 + m0 * N4;
  let add = p.accumulate != 0u;
  if (c4 < N4) {
    for (var i = 0u; i < rows; i++) {
      let o = cBase + i * N4 + c4;
      if (add) { C[o] = acc[i] + C[o]; } else { C[o] = acc[i]; }
    }
  }
  if (WIDE && c4 + SG < N4) {
    for (var i = 0u; i < rows; i++) {
      let o = cBase + i * N4 + c4 + SG;
      if (add) { C[o] = accw[i] + C[o]; } else { C[o] = accw[i]; }
    }
  }
}
