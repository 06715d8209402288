// Batched 2-D transpose through workgroup memory: x [B, R, C] → y [B, C, R].
// A workgroup moves one 32×32 tile: 32×8 invocations each read 4 rows of the tile (coalesced
// along C), then write 4 rows of the transposed tile (coalesced along R). The tile row is
// padded to 33 words so the column reads hit distinct banks. Grid: (⌈C/32⌉, ⌈R/32⌉, B).
// Elements are moved as raw 32-bit words (any dtype).

const T: u32 = 32u;
const ROWS: u32 = 8u;

struct Params { R: u32, C: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<u32>;
@group(0) @binding(2) var<storage, read_write> y: array<u32>;

var<workgroup> tile: array<u32, 1056>;   // 32 × 33

@compute @workgroup_size(32, 8)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let base = wid.z * p.R * p.C;
  let r0 = wid.y * T;
  let c0 = wid.x * T;
  for (var j = 0u; j < T; j += ROWS) {
    let r = r0 + lid.y + j;
    let c = c0 + lid.x;
    if (r < p.R && c < p.C) { tile[(lid.y + j) * (T + 1u) + lid.x] = x[base + r * p.C + c]; }
  }
  workgroupBarrier();
  for (var j = 0u; j < T; j += ROWS) {
    let c = c0 + lid.y + j;
    let r = r0 + lid.x;
    if (r < p.R && c < p.C) { y[base + c * p.R + r] = tile[lid.x * (T + 1u) + lid.y + j]; }
  }
}
