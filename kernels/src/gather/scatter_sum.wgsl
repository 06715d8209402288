// scatterAddRows step 4 of 4: each invocation owns one output element and sums its row's
// hits in index order:  dx[r, d] = Σ_{s = start[r]}^{start[r+1] − 1} dy[order[s], d]
// (0 for a row nobody hit). One invocation per element of dx [V, D], 2-D grid of 256-wide
// groups; neighbours share r and read neighbouring d, so the dy row reads are coalesced.

struct Params { n: u32, D: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> start: array<u32>;
@group(0) @binding(3) var<storage, read> order: array<u32>;
@group(0) @binding(4) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let e = gid.x + gid.y * nwg.x * 256u;
  if (e >= p.n) { return; }
  let r = e / p.D;
  let d = e - r * p.D;
  var acc = 0.0;
  for (var s = start[r]; s < start[r + 1u]; s++) { acc += dy[order[s] * p.D + d]; }
  dx[e] = acc;
}
