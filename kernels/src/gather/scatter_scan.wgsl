// scatterAddRows step 2 of 4: exclusive prefix sum in place, start[r] = Σ_{q<r} counts[q] for
// r ≤ V (start[V] = number of valid ids). One workgroup: invocation t sums its own contiguous
// segment of ⌈(V+1)/256⌉ counts, the 256 segment sums are scanned in workgroup memory
// (Hillis–Steele), then each invocation rewrites its segment with the running offset.

struct Params { n: u32 }   // n = V + 1
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> start: array<u32>;

var<workgroup> part: array<u32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) t: u32) {
  let seg = (p.n + 255u) / 256u;
  let lo = min(p.n, t * seg);
  let hi = min(p.n, lo + seg);
  var s = 0u;
  for (var r = lo; r < hi; r++) { s += start[r]; }
  part[t] = s;
  for (var off = 1u; off < 256u; off *= 2u) {
    workgroupBarrier();
    let add = select(0u, part[t - off], t >= off);
    workgroupBarrier();
    part[t] += add;
  }
  workgroupBarrier();
  var run = part[t] - s;   // exclusive: the segments before t
  for (var r = lo; r < hi; r++) {
    let c = start[r];
    start[r] = run;
    run += c;
  }
}
