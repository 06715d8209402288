// Winograd F(2×2, 3×3)'s output tiles (conv2d_winograd_dy, _output, _fused): tile
// t = (β·tH + th)·tW + tw covers the outputs (2·th + i, 2·tw + j), i, j < 2, of image n0 + β.
// Reads the includer's Params n0, tH, tW.
struct OutTile { img: u32, th: u32, tw: u32 }

fn out_tile(t: u32) -> OutTile {
  return OutTile(p.n0 + t / (p.tW * p.tH), t / p.tW % p.tH, t % p.tW);
}
