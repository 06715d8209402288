// The Winograd transforms that run one invocation per (tile t, channels 4·c4 .. 4·c4 + 3) over a
// 2-D grid (conv2d_winograd_output.wgsl, conv2d_winograd_dy.wgsl): their Params and work item.
override WG: u32 = 64u;

struct Params {
  T: u32,
  n0: u32,
  cout4: u32, // Cout / 4
  ho: u32, wo: u32,
  tH: u32, tW: u32,
  hasBias: u32, // output only
}
@group(0) @binding(0) var<uniform> p: Params;

// #include "conv2d_winograd_tiles.inc.wgsl"

// (t, c4) of invocation lid of flat workgroup wid.x + wid.y·num_workgroups.x; t ≥ T past the end
fn tile_channels(wid: vec3u, nwg: vec3u, lid: u32) -> vec2u {
  let i = (wid.x + wid.y * nwg.x) * WG + lid;
  return vec2u(i / p.cout4, i % p.cout4);
}
