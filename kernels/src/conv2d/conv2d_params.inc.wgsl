// The direct conv2d kernels' Params (conv2d*.wgsl; conv2d.ts geomParams packs it): sizes, the
// padding (PH, PW), groups as Cin_g = Cin / groups and Cout_g, mtiles = ⌈Cout_g / 16⌉ channel
// tiles, kernel, stride, dilation; chunk: conv2d_dw*'s (n, oh) rows per split (0 elsewhere).
struct Params {
  n: u32, cin: u32, h: u32, w: u32,
  cout: u32, ho: u32, wo: u32, ph: i32,
  pw: i32, cin_g: u32, cout_g: u32, mtiles: u32,
  kh: u32, kw: u32, sh: u32, sw: u32,
  dh: u32, dw: u32, has_bias: u32,
  chunk: u32,
}
@group(0) @binding(0) var<uniform> p: Params;

const TM = 16u; // channels per tile: output channels (forward, dw), input channels (dx); conv2d.ts's TM

// Offsets (row + min(m0 + i, last)) · stride of a tile's TM = 16 channels i = 0..15 (weight rows, or dy
// planes), clamped to the group's last channel: rows past it are computed but never stored.
fn channel_rows(row: u32, m0: u32, last: u32, stride: u32) -> array<vec4u, 4> {
  let m = vec4u(m0) + vec4u(0u, 1u, 2u, 3u);
  return array<vec4u, 4>((row + min(m, vec4u(last))) * stride, (row + min(m + 4u, vec4u(last))) * stride,
                         (row + min(m + 8u, vec4u(last))) * stride, (row + min(m + 12u, vec4u(last))) * stride);
}

// An invocation's work in the pixel-pair kernels (conv2d, conv2d_sg, conv2d_dx, conv2d_dx_sg):
// group g and first channel m0 of the workgroup's 16-channel tile (grid z = g·mtiles + tile), and
// pixels pix0 and pix0 + wg of flat tile wid.x + wid.y·num_workgroups.x; q holds the two clamped
// below `count` (lanes past the end compute the last pixel and do not store).
struct PixelPair { g: u32, m0: u32, pix0: u32, q: vec2u }

fn pixel_pair(wid: vec3u, nwg: vec3u, lid: u32, wg: u32, count: u32) -> PixelPair {
  let pix0 = (wid.x + wid.y * nwg.x) * wg * 2u + lid;
  return PixelPair(wid.z / p.mtiles, (wid.z % p.mtiles) * TM, pix0, min(vec2u(pix0, pix0 + wg), vec2u(count - 1u)));
}
