// Inverted dropout: y[i] = x[i] · keep_i / (1 − p), keep_i = (u_i ≥ p), u_i uniform in [0, 1)
// from rng.inc.wgsl: u_{2k}, u_{2k+1} = rand2(seed, stream, k, 0), so one Threefry block
// serves two elements. The mask is a pure function of (seed, stream, i): the backward runs this
// same kernel on dy and regenerates it, nothing is stored. scale = 1/(1 − p), or 0 when p = 1.
// One invocation per pair k, over a 2-D grid: k = gid.x + gid.y · num_workgroups.x · 256.

// #include "../rng/rng.inc.wgsl"

struct Params { n: u32, seed: u32, stream: u32, p: f32, scale: f32 }
@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let k = gid.x + gid.y * nwg.x * 256u;
  let i = 2u * k;
  if (i >= prm.n) { return; }
  let u = rand2(prm.seed, prm.stream, k, 0u);
  y[i] = select(0.0, x[i] * prm.scale, u.x >= prm.p);
  if (i + 1u < prm.n) { y[i + 1u] = select(0.0, x[i + 1u] * prm.scale, u.y >= prm.p); }
}
