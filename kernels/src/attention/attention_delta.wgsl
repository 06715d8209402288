// D_i = Σ_c dO_ic·O_ic per query row (rowsum(dO ⊙ O) = Σ_j P_ij dP_ij), for attention_backward_sg.wgsl.
// O and dO (rows, K4) as vec4 (d % 4 == 0); one invocation per row. A tiny pass: 2·d loads per row.

struct Params {
  rows: u32,
  d4: u32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> o: array<vec4f>;
@group(0) @binding(2) var<storage, read> dout: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> delta: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let row = gid.x + gid.y * nwg.x * 64u;
  if (row >= p.rows) { return; }
  var acc = vec4f(0.0);
  for (var c = 0u; c < p.d4; c++) { acc += o[row * p.d4 + c] * dout[row * p.d4 + c]; }
  delta[row] = dot(acc, vec4f(1.0));
}
