// Row-wise helpers of the InfoNCE launcher (m·d work, next to the m·n·d of the tiles):
//   inv_norm: aux[off + i] = 1 / max(‖x_i‖, 1e-12)   (or 1 when not normalising)
//   l2_back:  g_i ← r_i · (g_i − x̂_i (x̂_i · g_i)),  x̂_i = x_i · r_i
//             the chain rule through x̂ = x / ‖x‖, turning d/dx̂ (what the tiles produce) into d/dx
//   reduce:   loss = w · Σ_i stats[2i],  accuracy = Σ_i stats[2i+1] / rows   (one workgroup, fixed
//             summation order: deterministic)

struct Params { rows: u32, d: u32, off: u32, flag: u32, w: f32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> aux: array<f32>;
@group(0) @binding(3) var<storage, read_write> g: array<f32>;

@group(0) @binding(1) var<storage, read> stats: array<f32>;
@group(0) @binding(2) var<storage, read_write> loss: array<f32>;
@group(0) @binding(3) var<storage, read_write> acc: array<f32>;

fn flat(gid: vec3u, nwg: vec3u) -> u32 { return gid.x + gid.y * nwg.x * 64u; }

@compute @workgroup_size(64)
fn inv_norm(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i >= p.rows) { return; }
  var ss = 0.0;
  for (var k = 0u; k < p.d; k++) { let v = x[i * p.d + k]; ss += v * v; }
  aux[p.off + i] = select(1.0, 1.0 / max(sqrt(ss), 1e-12), p.flag == 1u);
}

@compute @workgroup_size(64)
fn l2_back(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i >= p.rows) { return; }
  let r = aux[p.off + i];
  var dot = 0.0;
  for (var k = 0u; k < p.d; k++) { dot += x[i * p.d + k] * g[i * p.d + k]; }
  let c = dot * r * r;
  for (var k = 0u; k < p.d; k++) { g[i * p.d + k] = r * (g[i * p.d + k] - x[i * p.d + k] * c); }
}

var<workgroup> part: array<vec2f, 256>;

@compute @workgroup_size(256)
fn reduce(@builtin(local_invocation_index) lid: u32) {
  var t = vec2f(0.0);
  for (var i = lid; i < p.rows; i += 256u) { t += vec2f(stats[2u * i], stats[2u * i + 1u]); }
  part[lid] = t;
  for (var h = 128u; h > 0u; h >>= 1u) {
    workgroupBarrier();
    if (lid < h) { part[lid] += part[lid + h]; }
  }
  if (lid == 0u) {
    loss[0] = part[0].x * p.w;
    acc[0] = part[0].y / f32(p.rows);
  }
}
