// scatterAddRows step 1 of 4: rows' hit counts, counts[r] = #{i : idx[i] = r} for r < V
// (integer atomics; the counts, unlike float atomic sums, do not depend on the order).
// counts[0 … V] is zeroed by the launcher. One invocation per id, 2-D grid of 256-wide groups.

struct Params { N: u32, V: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> idx: array<i32>;
@group(0) @binding(2) var<storage, read_write> counts: array<atomic<u32>>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.N) { return; }
  let r = idx[i];
  if (r >= 0 && u32(r) < p.V) { atomicAdd(&counts[u32(r)], 1u); }
}
