// conv2d as a GEMM (conv2d_gemm.ts): the strided 2-D copies around the GEMMs, with offsets
// (chunks of images) and zero fill (K padded to Kp):
//   dst[dstOff + (b·R + i)·C + j] = i < rValid && j < cValid ? src[srcOff + b·sB + i·sI + j·sJ] : 0
// e.g. y (N, Cout, P) ← T (rows, Cout) per image, dyᵀ (rows, Cout) ← dy, Wᵀ (Kp, Cout) ← W (Cout, K).
// Strides are u32 and wrap: a stride of 2³² − 1 walks backwards (the flipped kernel of dx).
// One workgroup per (b, tile of WG columns j), both uniform; lanes over j (contiguous stores),
// a loop over the R rows i (fewer, longer workgroups: lavapipe pays per workgroup).

override WG: u32 = 32u;

struct Params {
  R: u32, C: u32, rValid: u32, cValid: u32,
  srcOff: u32, sB: u32, sI: u32, sJ: u32,
  dstOff: u32,
  jTiles: u32, // ⌈C / WG⌉
  tiles: u32,  // B · jTiles
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let t = wid.x + wid.y * nwg.x;
  if (t >= p.tiles) { return; }
  let b = t / p.jTiles;
  let j = t % p.jTiles * WG + lid;
  if (j >= p.C) { return; }
  let okj = j < p.cValid;
  var s = p.srcOff + b * p.sB + j * p.sJ;
  var d = p.dstOff + b * p.R * p.C + j;
  for (var i = 0u; i < p.R; i++) {
    let ok = okj && i < p.rValid;
    dst[d] = select(0.0, src[select(0u, s, ok)], ok);
    s += p.sI;
    d += p.C;
  }
}
