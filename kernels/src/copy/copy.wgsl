// Strided copy, the one kernel behind slice, concat, pad and the general permute:
//   y[y_off + Σ_k c_k·ys_k] = x[x_off + Σ_k c_k·xs_k]   for every coordinate c of the
// iteration shape d (RANK ≤ 6 dims, padded on the left with 1s), n = Π d.
// Elements are moved as raw 32-bit words, so f32, i32 and u32 all copy through it.
// Each invocation moves VEC consecutive elements of the iteration (VEC = 8 or 4 when the last dim
// is a multiple of it: they differ only in c_5, so the integer division is paid once per VEC).
// The 1-D job is laid over a 2-D grid of 256-wide workgroups.

override RANK: u32 = 1u;
override VEC: u32 = 1u;

struct Params {
  n: u32, x_off: u32, y_off: u32,
  d0: u32, d1: u32, d2: u32, d3: u32, d4: u32, d5: u32,
  xs0: u32, xs1: u32, xs2: u32, xs3: u32, xs4: u32, xs5: u32,
  ys0: u32, ys1: u32, ys2: u32, ys3: u32, ys4: u32, ys5: u32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<u32>;
@group(0) @binding(2) var<storage, read_write> y: array<u32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = (gid.x + gid.y * nwg.x * 256u) * VEC;
  if (i >= p.n) { return; }
  let d = array<u32, 6>(p.d0, p.d1, p.d2, p.d3, p.d4, p.d5);
  let xs = array<u32, 6>(p.xs0, p.xs1, p.xs2, p.xs3, p.xs4, p.xs5);
  let ys = array<u32, 6>(p.ys0, p.ys1, p.ys2, p.ys3, p.ys4, p.ys5);
  var rem = i;
  var ix = p.x_off;
  var iy = p.y_off;
  for (var k = 5u; k + RANK >= 6u; k--) {
    let c = rem % d[k];
    rem = rem / d[k];
    ix += c * xs[k];
    iy += c * ys[k];
    if (k == 0u) { break; }
  }
  for (var v = 0u; v < VEC; v++) { y[iy + v * p.ys5] = x[ix + v * p.xs5]; }
}
