// scatterAddRows step 3 of 4: order the ids by row, and within a row by index:
//   order[start[r] + rank_i] = i,   r = idx[i],   rank_i = #{j < i : idx[j] = r}
// so every row's hits sit contiguously and ascending (the sums are then deterministic).
// rank costs i compares: the workgroup streams idx[0 … its last i] through workgroup memory
// 256 at a time (N²/2 compares in all, fine for N up to ~10⁴).

struct Params { N: u32, V: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> idx: array<i32>;
@group(0) @binding(2) var<storage, read> start: array<u32>;
@group(0) @binding(3) var<storage, read_write> order: array<u32>;

var<workgroup> chunk: array<i32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) t: u32) {
  let first = (wid.x + wid.y * nwg.x) * 256u;   // uniform: the workgroup's first id
  let i = first + t;
  var r = -1;
  if (i < p.N) { r = idx[i]; }
  var rank = 0u;
  for (var j0 = 0u; j0 < min(first + 256u, p.N); j0 += 256u) {
    if (j0 + t < p.N) { chunk[t] = idx[j0 + t]; }
    workgroupBarrier();
    let m = min(256u, i - min(i, j0));   // ids j0 … j0 + m − 1 are below i
    for (var k = 0u; k < m; k++) { rank += select(0u, 1u, chunk[k] == r); }
    workgroupBarrier();
  }
  if (i < p.N && r >= 0 && u32(r) < p.V) { order[start[u32(r)] + rank] = i; }
}
