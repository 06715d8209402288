// The adapter's arithmetic ceiling: each invocation runs 8 independent vec4 chains
//   a ← a·m + c   (2 FLOPs per lane: 8 chains × 4 lanes × 2 = 64 FLOPs per iteration)
// for p.iters iterations, then writes the sum of its 32 lanes, so nothing is dead code.
// m, c and iters come from the uniform, so the compiler cannot fold the loop. Override FUSED
// picks the chain (folded at pipeline creation): false a*m+c (which the compiler may or may not
// contract), true fma().
// Lane j of chain k in invocation i starts at  x0 = ((i·8 + k)·4 + j mod 997) / 997.

struct Params { n: u32, iters: u32, m: f32, c: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;

const WG: u32 = 64u;
override FUSED: bool = false;

fn start(i: u32, k: u32) -> vec4f {
  let b = (i * 8u + k) * 4u;
  return vec4f(f32((b) % 997u), f32((b + 1u) % 997u), f32((b + 2u) % 997u), f32((b + 3u) % 997u)) / 997.0;
}

fn lanes(v: vec4f) -> f32 { return v.x + v.y + v.z + v.w; }

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n) { return; }
  let m = vec4f(p.m);
  let c = vec4f(p.c);
  var a0 = start(i, 0u); var a1 = start(i, 1u); var a2 = start(i, 2u); var a3 = start(i, 3u);
  var a4 = start(i, 4u); var a5 = start(i, 5u); var a6 = start(i, 6u); var a7 = start(i, 7u);
  for (var t = 0u; t < p.iters; t++) {
    if (FUSED) {
      a0 = fma(a0, m, c); a1 = fma(a1, m, c); a2 = fma(a2, m, c); a3 = fma(a3, m, c);
      a4 = fma(a4, m, c); a5 = fma(a5, m, c); a6 = fma(a6, m, c); a7 = fma(a7, m, c);
    } else {
      a0 = a0 * m + c; a1 = a1 * m + c; a2 = a2 * m + c; a3 = a3 * m + c;
      a4 = a4 * m + c; a5 = a5 * m + c; a6 = a6 * m + c; a7 = a7 * m + c;
    }
  }
  y[i] = lanes(a0) + lanes(a1) + lanes(a2) + lanes(a3) + lanes(a4) + lanes(a5) + lanes(a6) + lanes(a7);
}
