// conv2d by Winograd F(2×2, 3×3) (conv2d_winograd.ts), dw: the weight transform's gradient
//   dw[co, ci, kh, kw] = (Gᵀ · m · G)[kh, kw]     m[i, j] = dU[4·i + j, ci, co]   dU (16, Cin, Cout)
//   Gᵀ = [[1, ½, ½, 0], [0, ½, −½, 0], [0, ½, ½, 1]]
// (the transpose of U = G · g · Gᵀ). dw (Cout, Cin, 3, 3) written in place. One invocation per
// (ci, 4 columns co): 16 vec4 loads, 9 taps × 4 stores.

override WG: u32 = 64u;

struct Params {
  cin: u32,
  cout4: u32, // Cout / 4
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> dU: array<vec4f>;     // (16, Cin, Cout / 4)
@group(0) @binding(2) var<storage, read_write> dw: array<f32>; // (Cout, Cin, 3, 3)

/** (a0, a1, a2, a3) · G */
fn gRow(a0: vec4f, a1: vec4f, a2: vec4f, a3: vec4f) -> array<vec4f, 3> {
  return array<vec4f, 3>(a0 + 0.5 * (a1 + a2), 0.5 * (a1 - a2), 0.5 * (a1 + a2) + a3);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + lid;
  if (i >= p.cin * p.cout4) { return; }
  let ci = i / p.cout4;
  let c4 = i % p.cout4;
  let plane = p.cin * p.cout4;
  var m: array<vec4f, 16>;
  for (var k = 0u; k < 16u; k++) { m[k] = dU[k * plane + i]; }
  // Gᵀ · m: rows 0..2 of a 3×4, each then · G
  var t: array<array<vec4f, 3>, 3>;
  t[0] = gRow(m[0] + 0.5 * (m[4] + m[8]), m[1] + 0.5 * (m[5] + m[9]), m[2] + 0.5 * (m[6] + m[10]), m[3] + 0.5 * (m[7] + m[11]));
  t[1] = gRow(0.5 * (m[4] - m[8]), 0.5 * (m[5] - m[9]), 0.5 * (m[6] - m[10]), 0.5 * (m[7] - m[11]));
  t[2] = gRow(0.5 * (m[4] + m[8]) + m[12], 0.5 * (m[5] + m[9]) + m[13], 0.5 * (m[6] + m[10]) + m[14], 0.5 * (m[7] + m[11]) + m[15]);
  let step = p.cin * 9u; // dw[co + 1] − dw[co]
  let o = (4u * c4 * p.cin + ci) * 9u;
  for (var kh = 0u; kh < 3u; kh++) {
    for (var kw = 0u; kw < 3u; kw++) {
      let v = t[kh][kw];
      let k = o + 3u * kh + kw;
      dw[k] = v.x;
      dw[k + step] = v.y;
      dw[k + 2u * step] = v.z;
      dw[k + 3u * step] = v.w;
    }
  }
}
