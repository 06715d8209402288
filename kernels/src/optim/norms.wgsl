// L2 norms without atomics (owner computes), on layout.inc.wgsl. Two passes each:
//   segment_partials: workgroup b owns block b → part[b] = Σ x² over its ≤ 1024 elements;
//   segment_finish:   workgroup s owns segment s → out[s] = √(Σ part over its blocks);
//   flat_partials:    workgroup b owns x[b·1024, min(n, (b+1)·1024)) → part[b] = Σ x²;
//   flat_finish:      one workgroup → out[0] = √(Σ_b part[b])  (the global norm).

// #include "layout.inc.wgsl"

struct Params { n: u32, num_blocks: u32 }
@group(0) @binding(0) var<uniform> p: Params;

var<workgroup> red: array<f32, WG>;

// Σ over the workgroup of each invocation's v (call from uniform control flow)
fn wg_sum(v: f32, lid: u32) -> f32 {
  red[lid] = v;
  workgroupBarrier();
  for (var k = WG / 2u; k > 0u; k >>= 1u) {
    if (lid < k) { red[lid] += red[lid + k]; }
    workgroupBarrier();
  }
  return red[0];
}

@group(0) @binding(3) var<storage, read> sp_x: array<f32>;
@group(0) @binding(4) var<storage, read_write> sp_out: array<f32>;

@compute @workgroup_size(WG)
fn segment_partials(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let b = block_index(wid, nwg);
  if (b >= p.num_blocks) { return; }
  let blk = blocks[b];
  let s = segs[blk.x];
  let end = s.start + s.len;
  var acc = 0.0;
  for (var k = 0u; k < PER_THREAD; k++) {
    let i = blk.y + k * WG + lid;
    if (i < end) { acc += sp_x[i] * sp_x[i]; }
  }
  let total = wg_sum(acc, lid);
  if (lid == 0u) { sp_out[b] = total; }
}

@group(0) @binding(2) var<storage, read> sf_part: array<f32>;
@group(0) @binding(3) var<storage, read_write> sf_out: array<f32>;

@compute @workgroup_size(WG)
fn segment_finish(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let si = block_index(wid, nwg);
  if (si >= p.n) { return; } // p.n = number of segments here
  let s = segs[si];
  var acc = 0.0;
  for (var j = lid; j < s.num_blocks; j += WG) { acc += sf_part[s.first_block + j]; }
  let total = wg_sum(acc, lid);
  if (lid == 0u) { sf_out[si] = sqrt(total); }
}

@group(0) @binding(1) var<storage, read> fp_x: array<f32>;
@group(0) @binding(2) var<storage, read_write> fp_out: array<f32>;

@compute @workgroup_size(WG)
fn flat_partials(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let b = block_index(wid, nwg);
  if (b >= p.num_blocks) { return; }
  var acc = 0.0;
  for (var k = 0u; k < PER_THREAD; k++) {
    let i = b * BLOCK + k * WG + lid;
    if (i < p.n) { acc += fp_x[i] * fp_x[i]; }
  }
  let total = wg_sum(acc, lid);
  if (lid == 0u) { fp_out[b] = total; }
}

@group(0) @binding(1) var<storage, read> ff_part: array<f32>;
@group(0) @binding(2) var<storage, read_write> ff_out: array<f32>;

@compute @workgroup_size(WG)
fn flat_finish(@builtin(local_invocation_index) lid: u32) {
  var acc = 0.0;
  for (var j = lid; j < p.num_blocks; j += WG) { acc += ff_part[j]; }
  let total = wg_sum(acc, lid);
  if (lid == 0u) { ff_out[0] = sqrt(total); }
}
