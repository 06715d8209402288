// The direct forward's epilogue (conv2d.wgsl, conv2d_sg.wgsl): a pixel pair's accumulators
// c[4j + q] (channels 4q .. 4q + 3 of the tile at pixel j) plus the bias, stored to
// y[n, g·Cout_g + m0 + m, oh, ow] for the channels inside the group and the pixels inside the batch.
fn store_pair(t: PixelPair, wg: u32, npix: u32, c: array<vec4f, 8>) {
  let row = t.g * p.cout_g;
  var bv = array<vec4f, 4>(vec4f(0.0), vec4f(0.0), vec4f(0.0), vec4f(0.0));
  if (p.has_bias != 0u) {
    for (var q = 0u; q < 4u; q++) {
      for (var e = 0u; e < 4u; e++) { bv[q][e] = bias[row + min(t.m0 + 4u * q + e, p.cout_g - 1u)]; }
    }
  }
  let hw_o = p.ho * p.wo;
  for (var j = 0u; j < 2u; j++) {
    let pix = t.pix0 + j * wg;
    if (pix >= npix) { return; }
    let base = (pix / hw_o * p.cout + row) * hw_o + pix % hw_o;
    for (var m = 0u; m < TM && t.m0 + m < p.cout_g; m++) {
      y[base + (t.m0 + m) * hw_o] = c[4u * j + m / 4u][m % 4u] + bv[m / 4u][m % 4u];
    }
  }
}
