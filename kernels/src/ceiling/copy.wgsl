// The adapter's memory ceiling: dst[i] = src[i] over n4 = ⌈n/4⌉ vec4s (16 bytes read and
// 16 written per invocation). The 1-D job is laid over a 2-D grid, flat index
// i = gid.x + gid.y · (num_workgroups.x · 256). Buffers come from the pool, whose sizes are
// multiples of 16 bytes, so the last partial vec4 stays inside both buffers.

struct Params { n4: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> dst: array<vec4f>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n4) { return; }
  dst[i] = src[i];
}
