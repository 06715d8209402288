// Flat elementwise updates, one invocation per element over a 2-D grid (flat index
// i = gid.x + gid.y · num_workgroups.x · 256):
//   clip: g[i] ← g[i] · min(1, max_norm / (‖g‖ + 1e-6)), ‖g‖ = norm[0] read from the GPU;
//   ema:  t[i] ← m·t[i] + (1 − m)·s[i]  (MoCo / BYOL momentum encoders).

struct Params { n: u32, a: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<storage, read> src: array<f32>;

@compute @workgroup_size(256)
fn clip(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n) { return; }
  y[i] *= min(1.0, p.a / (src[0] + 1e-6));
}

@compute @workgroup_size(256)
fn ema(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n) { return; }
  y[i] = p.a * y[i] + (1.0 - p.a) * src[i];
}
