// Reductions that finish conv2d's backward pass, each output owned by one invocation or workgroup:
//   sum_splits: dw[i] = Σ_s part[s·total + i]                 (split-K partials of conv2d_dw.wgsl)
//   bias_grad:  db[co] = Σ_{n, r} dy[n, co, r],  r < Ho·Wo    (one workgroup per channel co)

struct Params { total: u32, splits: u32, n: u32, cout: u32, hw: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;

@compute @workgroup_size(256)
fn sum_splits(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.total) { return; }
  var s = 0.0;
  for (var k = 0u; k < p.splits; k++) { s += src[k * p.total + i]; }
  dst[i] = s;
}

var<workgroup> red: array<f32, 256>;

@compute @workgroup_size(256)
fn bias_grad(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let co = wid.x;
  let len = p.n * p.hw;
  var s = 0.0;
  for (var i = lid; i < len; i += 256u) {
    let n = i / p.hw;
    s += src[(n * p.cout + co) * p.hw + i % p.hw];
  }
  red[lid] = s;
  workgroupBarrier();
  for (var k = 128u; k > 0u; k >>= 1u) {
    if (lid < k) { red[lid] += red[lid + k]; }
    workgroupBarrier();
  }
  if (lid == 0u) { dst[co] = red[0]; }
}
