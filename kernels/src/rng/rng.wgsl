// out[i] = lo + (hi − lo)·U(0,1)  (DIST = 0)  or  mean + std·N(0,1)  (DIST = 1), for i < n,
// from rand2 / randn1 of rng.inc.wgsl with key (seed, stream), counter (i, 0).

// #include "rng.inc.wgsl"

override DIST: u32 = 0u;

struct Params { n: u32, seed: u32, stream: u32, a: f32, b: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n) { return; }
  if (DIST == 0u) {
    out[i] = p.a + (p.b - p.a) * rand2(p.seed, p.stream, i, 0u).x;
  } else {
    out[i] = p.a + p.b * randn1(p.seed, p.stream, i, 0u);
  }
}
