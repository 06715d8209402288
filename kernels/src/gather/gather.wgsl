// Row gather (index_select along axis 0, the Embedding forward): x [V, D], idx [N] →
//   out[i, d] = x[idx[i], d]   if 0 ≤ idx[i] < V,   0 otherwise,   for the n = N·D outputs.
// Elements are moved as raw 32-bit words (any dtype; the zero word is 0 in all of them).
// A flat grid of 64-wide workgroups (w = wid.x + wid.y·nwg.x), in one of two layouts:
//   D ≥ 64: workgroup w copies row i = w, its lanes striding the columns: the row and its index
//           are uniform, and no lane divides (a per-lane u32 division is scalarised on a CPU
//           adapter and cost more than the copy);
//   D < 64: one invocation per output element e = 64·w + lane, row e / D.
// (p.rowMode chooses; the launcher sizes the grid to match.)

struct Params { n: u32, D: u32, V: u32, rowMode: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<u32>;
@group(0) @binding(2) var<storage, read> idx: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<u32>;

const WG: u32 = 64u;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lane: u32) {
  let w = wid.x + wid.y * nwg.x;
  if (p.rowMode != 0u) {
    if (w * p.D >= p.n) { return; }
    let r = idx[w];
    let live = r >= 0 && u32(r) < p.V;
    let src = select(0u, u32(r) * p.D, live);
    let dst = w * p.D;
    for (var d = lane; d < p.D; d += WG) {
      out[dst + d] = select(0u, x[src + d], live);
    }
    return;
  }
  let e = w * WG + lane;
  if (e >= p.n) { return; }
  let i = e / p.D;
  let r = idx[i];
  var v = 0u;
  if (r >= 0 && u32(r) < p.V) { v = x[u32(r) * p.D + (e - i * p.D)]; }
  out[e] = v;
}
