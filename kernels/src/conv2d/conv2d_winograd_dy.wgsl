// conv2d by Winograd F(2×2, 3×3) (conv2d_winograd.ts), dw: the transform of dy for images n0 .. n0 + b − 1
//   Ŷ[4·i + j, t, co] = (A · e · Aᵀ)[i, j]      Ŷ (16, T, Cout), T = b·tH·tW, t = (β·tH + th)·tW + tw
//   e[r, s] = dy[n0 + β, co, 2·th + r, 2·tw + s]   (r, s < 2; 0 past Ho, Wo)
//   A = (Aᵀ)ᵀ = [[1, 0], [1, 1], [1, −1], [0, −1]]
// (the gradient of Mx = V · U through the output transform y = Aᵀ · m · A). dy (N, Cout, Ho, Wo)
// read in place. One invocation per (t, 4 channels): 4 pixels × 4 channels gathered, 16 vec4 stores.

// #include "conv2d_winograd_pixels.inc.wgsl"
@group(0) @binding(1) var<storage, read> dy: array<f32>;          // (N, Cout, Ho, Wo)
@group(0) @binding(2) var<storage, read_write> Yh: array<vec4f>; // Ŷ (16, T, Cout / 4)

/** dy at (oh, ow) of the 4 channel planes at `plane0` (0 past Ho, Wo). */
fn pixel(plane0: u32, oh: u32, ow: u32) -> vec4f {
  let hw = p.ho * p.wo;
  let ok = oh < p.ho && ow < p.wo;
  let o = plane0 + select(0u, oh * p.wo + ow, ok);
  return select(vec4f(0.0), vec4f(dy[o], dy[o + hw], dy[o + 2u * hw], dy[o + 3u * hw]), ok);
}

/** (u, v) · Aᵀ */
fn aRow(u: vec4f, v: vec4f) -> array<vec4f, 4> {
  return array<vec4f, 4>(u, u + v, u - v, -v);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let tc = tile_channels(wid, nwg, lid);
  let t = tc.x;
  let c4 = tc.y;
  if (t >= p.T) { return; }
  let ot = out_tile(t);
  let plane0 = (ot.img * p.cout4 + c4) * 4u * p.ho * p.wo; // dy[img, 4·c4]
  let oh = 2u * ot.th;
  let ow = 2u * ot.tw;
  let e00 = pixel(plane0, oh, ow);
  let e01 = pixel(plane0, oh, ow + 1u);
  let e10 = pixel(plane0, oh + 1u, ow);
  let e11 = pixel(plane0, oh + 1u, ow + 1u);
  // A · e: rows (e0), (e0 + e1), (e0 − e1), (−e1); each then · Aᵀ
  let r0 = aRow(e00, e01);
  let r1 = aRow(e00 + e10, e01 + e11);
  let r2 = aRow(e00 - e10, e01 - e11);
  let r3 = aRow(-e10, -e11);
  let plane = p.T * p.cout4;
  let o = t * p.cout4 + c4;
  for (var j = 0u; j < 4u; j++) {
    Yh[(0u + j) * plane + o] = r0[j];
    Yh[(4u + j) * plane + o] = r1[j];
    Yh[(8u + j) * plane + o] = r2[j];
    Yh[(12u + j) * plane + o] = r3[j];
  }
}
