// The output transform's last step (conv2d_winograd_output, _fused): o[2·i + j] (channels
// 4·c4 + 0..3, + bias) to y[img, 4·c4 + 0..3, 2·th + i, 2·tw + j], clipped at Ho, Wo. Reads the
// includer's Params ho, wo, hasBias and its bindings y (N, Cout, Ho, Wo), bias (Cout / 4).
// #include "conv2d_winograd_tiles.inc.wgsl"

fn store_tile(t: u32, c4: u32, cout4: u32, o: array<vec4f, 4>) {
  let ot = out_tile(t);
  let hw = p.ho * p.wo;
  var b = vec4f(0.0);
  if (p.hasBias != 0u) { b = bias[c4]; }
  let plane0 = (ot.img * cout4 + c4) * 4u * hw; // y[img, 4·c4]
  for (var k = 0u; k < 4u; k++) {
    let oh = 2u * ot.th + k / 2u;
    let ow = 2u * ot.tw + k % 2u;
    if (oh < p.ho && ow < p.wo) {
      let q = plane0 + oh * p.wo + ow;
      let v = o[k] + b;
      y[q] = v.x;
      y[q + hw] = v.y;
      y[q + 2u * hw] = v.z;
      y[q + 3u * hw] = v.w;
    }
  }
}
