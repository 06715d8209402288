// conv2d by Winograd F(2×2, 3×3) (conv2d_winograd.ts): the output transform of images n0 .. n0 + b − 1
//   y[n0 + β, co, 2·th + i, 2·tw + j] = (Aᵀ · m · A)[i, j] + bias[co]   (i, j < 2; clipped at Ho, Wo)
//   m[r, s] = Mx[4·r + s, t, co]   Mx (16, T, Cout), t = (β·tH + th)·tW + tw
//   Aᵀ = [[1, 1, 1, 0], [0, 1, −1, −1]]
// y (N, Cout, Ho, Wo) written in place. One invocation per (t, 4 channels): 16 vec4 loads.

// #include "conv2d_winograd_pixels.inc.wgsl"
@group(0) @binding(1) var<storage, read> Mx: array<vec4f>;  // (16, T, Cout / 4)
@group(0) @binding(2) var<storage, read> bias: array<vec4f>; // (Cout / 4); any buffer when !hasBias
@group(0) @binding(3) var<storage, read_write> y: array<f32>; // (N, Cout, Ho, Wo)

// #include "conv2d_winograd_store.inc.wgsl"

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let tc = tile_channels(wid, nwg, lid);
  let t = tc.x;
  let c4 = tc.y;
  if (t >= p.T) { return; }
  let plane = p.T * p.cout4;
  var m: array<vec4f, 16>;
  for (var k = 0u; k < 16u; k++) { m[k] = Mx[k * plane + t * p.cout4 + c4]; }
  // Aᵀ · m: rows 0, 1; then · A
  var a0: array<vec4f, 4>;
  var a1: array<vec4f, 4>;
  for (var s = 0u; s < 4u; s++) {
    a0[s] = m[s] + m[4u + s] + m[8u + s];
    a1[s] = m[4u + s] - m[8u + s] - m[12u + s];
  }
  store_tile(t, c4, p.cout4, array<vec4f, 4>(a0[0] + a0[1] + a0[2], a0[1] - a0[2] - a0[3], a1[0] + a1[1] + a1[2], a1[1] - a1[2] - a1[3]));
}
