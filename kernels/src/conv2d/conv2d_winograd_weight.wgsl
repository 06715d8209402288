// conv2d by Winograd F(2×2, 3×3) (conv2d_winograd.ts): the weight transform
//   U[4·i + j, r, c] = (G · g · Gᵀ)[i, j]        U (16, R, C), G = [[1, 0, 0], [½, ½, ½], [½, −½, ½], [0, 0, 1]]
//   forward: R = Cin, C = Cout, g = W[c, r, kh, kw]
//   flip (dx as a conv of dy): R = Cout, C = Cin, g = W[r, c, 2 − kh, 2 − kw]
// W (Cout, Cin, 3, 3). One invocation per (r, 4 columns c): 9 taps × 4 loads, 16 vec4 stores.

override WG: u32 = 64u;

struct Params {
  R: u32,
  C4: u32,   // C / 4
  cinW: u32, // W's Cin
  flip: u32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> wt: array<f32>;        // (Cout, Cin, 3, 3)
@group(0) @binding(2) var<storage, read_write> U: array<vec4f>; // (16, R, C / 4)

/** (a0, a1, a2) · Gᵀ */
fn gRow(a0: vec4f, a1: vec4f, a2: vec4f) -> array<vec4f, 4> {
  return array<vec4f, 4>(a0, 0.5 * (a0 + a1 + a2), 0.5 * (a0 - a1 + a2), a2);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + lid;
  if (i >= p.R * p.C4) { return; }
  let r = i / p.C4;
  let c = i % p.C4 * 4u;
  let flip = p.flip != 0u;
  // W index of tap 0 for column c, and the step to column c + 1
  let base = select((c * p.cinW + r) * 9u, (r * p.cinW + c) * 9u, flip);
  let step = select(p.cinW * 9u, 9u, flip);
  var g: array<vec4f, 9>;
  for (var k = 0u; k < 9u; k++) {
    let o = base + select(k, 8u - k, flip);
    g[k] = vec4f(wt[o], wt[o + step], wt[o + 2u * step], wt[o + 3u * step]);
  }
  // G · g: rows 0..3 of a 4×3
  let t0 = gRow(g[0], g[1], g[2]);
  let t1 = gRow(0.5 * (g[0] + g[3] + g[6]), 0.5 * (g[1] + g[4] + g[7]), 0.5 * (g[2] + g[5] + g[8]));
  let t2 = gRow(0.5 * (g[0] - g[3] + g[6]), 0.5 * (g[1] - g[4] + g[7]), 0.5 * (g[2] - g[5] + g[8]));
  let t3 = gRow(g[6], g[7], g[8]);
  let plane = p.R * p.C4;
  let o = r * p.C4 + c / 4u;
  for (var j = 0u; j < 4u; j++) {
    U[(0u + j) * plane + o] = t0[j];
    U[(4u + j) * plane + o] = t1[j];
    U[(8u + j) * plane + o] = t2[j];
    U[(12u + j) * plane + o] = t3[j];
  }
}
