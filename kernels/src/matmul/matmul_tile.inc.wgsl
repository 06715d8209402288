// The workgroup's output tile (matmul.wgsl, matmul_sg.wgsl): the flat index wid.x + wid.y·nwg.x
// over a 2-D grid (x ≤ 65535) runs n-tile fastest, then m-tile, then batch; tile (tn, m0, b)
// starts at row m0 (`rows` rows per tile) of batch b. live = false past p.tiles. Reads the
// includer's Params tiles, tilesN, tilesM.
struct Tile { live: bool, tn: u32, m0: u32, b: u32 }

fn tile_of(wid: vec3u, nwg: vec3u, rows: u32) -> Tile {
  let w = wid.x + wid.y * nwg.x;
  let rest = w / p.tilesN;
  return Tile(w < p.tiles, w % p.tilesN, (rest % p.tilesM) * rows, rest / p.tilesM);
}
