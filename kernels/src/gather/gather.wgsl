// Row gather (index_select along axis 0, the Embedding forward): x [V, D], idx [N] →
//   out[i, d] = x[idx[i], d]   if 0 ≤ idx[i] < V,   0 otherwise,   for the n = N·D outputs.
// Elements are moved as raw 32-bit words (any dtype; the zero word is 0 in all of them).
// One invocation per output element over a 2-D grid of 256-wide workgroups.

struct Params { n: u32, D: u32, V: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<u32>;
@group(0) @binding(2) var<storage, read> idx: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<u32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let e = gid.x + gid.y * nwg.x * 256u;
  if (e >= p.n) { return; }
  let i = e / p.D;
  let r = idx[i];
  var v = 0u;
  if (r >= 0 && u32(r) < p.V) { v = x[u32(r) * p.D + (e - i * p.D)]; }
  out[e] = v;
}
