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
