// Row scatter-add, the backward of gather (Embedding backward), without float atomics:
//   dx[r, d] = Σ_{i : idx[i] = r} dy[i, d]      dy [N, D], idx [N], dx [V, D]
// A workgroup owns a tile of TR = 2048 / WX rows × WX columns of dx, kept in workgroup memory.
// Invocation (x, y) owns column x of rows y, y + WY, … of the tile (TR / WY = 8 cells), so
// only it ever writes them: no races. idx is scanned in chunks of 256: each invocation tests
// one entry against the tile's rows, a workgroup prefix sum compacts the hits in index order,
// then every owner adds its hits in that order (so results are deterministic).
// Cost: every workgroup reads all of idx (V·N / TR tests in total), plus one add per hit.
// Workgroups: flat g = wid.x + wid.y·nwg.x over (row block, column block), column block fastest.

override WX: u32 = 64u;
override WY: u32 = 4u;
const TILE: u32 = 2048u;

struct Params { N: u32, D: u32, V: u32, col_blocks: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> idx: array<i32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;

var<workgroup> tile: array<f32, TILE>;
var<workgroup> scan: array<u32, 256>;
var<workgroup> hit_i: array<u32, 256>;
var<workgroup> hit_r: array<u32, 256>;

@compute @workgroup_size(WX, WY)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u,
        @builtin(local_invocation_index) t: u32) {
  let g = wid.x + wid.y * nwg.x;
  let c = (g % p.col_blocks) * WX + lid.x;
  let tr = TILE / WX;
  let r0 = (g / p.col_blocks) * tr;
  for (var r = lid.y; r < tr; r += WY) { tile[r * WX + lid.x] = 0.0; }
  for (var i0 = 0u; i0 < p.N; i0 += 256u) {
    // 1. which of idx[i0 .. i0+255] land in this tile's rows
    var flag = 0u;
    var row = 0u;
    if (i0 + t < p.N) {
      let v = idx[i0 + t];
      flag = select(0u, 1u, v >= i32(r0) && v < i32(r0 + tr));
      row = u32(v) - r0;
    }
    // 2. inclusive prefix sum of the flags (Hillis–Steele) → compacted hit list in index order
    scan[t] = flag;
    for (var off = 1u; off < 256u; off *= 2u) {
      workgroupBarrier();
      let add = select(0u, scan[t - off], t >= off);
      workgroupBarrier();
      scan[t] += add;
    }
    workgroupBarrier();
    if (flag == 1u) {
      hit_i[scan[t] - 1u] = i0 + t;
      hit_r[scan[t] - 1u] = row;
    }
    workgroupBarrier();
    // 3. each owner adds its hits in index order
    let hits = scan[255];
    if (c < p.D) {
      for (var j = 0u; j < hits; j++) {
        let r = hit_r[j];
        if (r % WY == lid.y) { tile[r * WX + lid.x] += dy[hit_i[j] * p.D + c]; }
      }
    }
    workgroupBarrier();
  }
  if (c < p.D) {
    for (var r = lid.y; r < tr && r0 + r < p.V; r += WY) { dx[(r0 + r) * p.D + c] = tile[r * WX + lid.x]; }
  }
}
