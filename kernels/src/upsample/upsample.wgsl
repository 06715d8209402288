// 2-D resize of NCHW planes (H×W → Ho×Wo), PyTorch's F.interpolate with align_corners = False.
// Along a side of n_in → n_out, output o reads input taps (i0, i1) with weights (1 − λ, λ):
//   MODE 0, nearest:  i0 = i1 = ⌊o·n_in / n_out⌋, λ = 0
//   MODE 1, bilinear: s = max((o + ½)·n_in/n_out − ½, 0), i0 = ⌊s⌋, i1 = min(i0 + 1, n_in − 1),
//                     λ = s − i0, i.e. s = num / den with num = (2o + 1)·n_in − n_out, den = 2·n_out.
//   forward:  y[o, q] = Σ_{a ∈ taps(o)} Σ_{b ∈ taps(q)} w_a·w_b·x[a, b]
//   backward: dx[i, j] = Σ_o Σ_q w(o → i)·w(q → j)·dy[o, q], a gather over the outputs whose taps
//             include (i, j): each dx element has one owner, no atomics.
// The grid is (column, row, plane) of the output (forward) or input (backward), so no index is
// divided; the taps' floors come from an f32 estimate made exact by one integer correction
// (u32 division by a runtime value is scalarised on CPU SIMD: ~3× slower here). The launcher
// keeps (2·n_out + 3)·n_in and (2·n_in + 3)·n_out below 2²⁴, where the estimate is off by at most one. Planes beyond the
// grid's z limit run as further dispatches from p.plane0.

override MODE: u32 = 1u;

struct Params { plane0: u32, planes: u32, h: u32, w: u32, ho: u32, wo: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;        // x (forward) or dy (backward)
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;  // y (forward) or dx (backward)

struct Taps { i0: u32, i1: u32, lambda: f32 }

// ⌊a / b⌋ for 0 ≤ a/b < 2²³ whose f32 estimate is off by at most one
fn floor_div(a: u32, b: u32) -> u32 {
  var q = u32(f32(a) / f32(b));
  if (q * b > a) { q -= 1u; }
  if ((q + 1u) * b <= a) { q += 1u; }
  return q;
}

fn taps(o: u32, n_in: u32, n_out: u32) -> Taps {
  if (MODE == 0u) {
    let i = floor_div(o * n_in, n_out);
    return Taps(i, i, 0.0);
  }
  let num = i32((2u * o + 1u) * n_in) - i32(n_out);
  if (num <= 0) { return Taps(0u, 0u, 0.0); }
  let den = 2u * n_out;
  let i0 = floor_div(u32(num), den);
  return Taps(i0, min(i0 + 1u, n_in - 1u), f32(u32(num) - i0 * den) / f32(den));
}

// weight of input i in output o's interpolation (1 where both taps are i)
fn weight(t: Taps, i: u32) -> f32 {
  return select(0.0, 1.0 - t.lambda, t.i0 == i) + select(0.0, t.lambda, t.i1 == i);
}

// [lo, hi] of the outputs along a side whose taps include input i (hi < lo: none).
// Nearest: i·no ≤ o·ni < (i + 1)·no. Bilinear: s ∈ [i − 1, i + 1), i.e.
// a = (2i − 1)·no − ni ≤ 2ni·o < b = (2i + 3)·no − ni (outputs whose s was clamped up to 0 give
// input 1 weight 0: leaving them out is exact).
fn outputs_reading(i: u32, n_in: u32, n_out: u32) -> vec2i {
  if (MODE == 0u) {
    return vec2i(i32(floor_div(i * n_out + n_in - 1u, n_in)), i32(floor_div((i + 1u) * n_out - 1u, n_in)));
  }
  let d = 2u * n_in;
  let a = i32((2u * i + 1u) * n_out) - i32(2u * n_out + n_in);
  let b = i32((2u * i + 3u) * n_out) - i32(n_in);
  let lo = select(0, i32(floor_div(u32(a) + d - 1u, d)), a > 0);
  let hi = select(-1, i32(floor_div(u32(b) - 1u, d)), b > 0);
  return vec2i(lo, min(hi, i32(n_out) - 1));
}

@compute @workgroup_size(8, 8, 1)
fn forward(@builtin(global_invocation_id) gid: vec3u) {
  if (gid.x >= p.wo || gid.y >= p.ho || gid.z >= p.planes) { return; }
  let plane = p.plane0 + gid.z;
  let ty = taps(gid.y, p.h, p.ho);
  let tx = taps(gid.x, p.w, p.wo);
  let base = plane * p.h * p.w;
  let r0 = base + ty.i0 * p.w;
  let r1 = base + ty.i1 * p.w;
  let top = mix(src[r0 + tx.i0], src[r0 + tx.i1], tx.lambda);
  let bottom = mix(src[r1 + tx.i0], src[r1 + tx.i1], tx.lambda);
  dst[(plane * p.ho + gid.y) * p.wo + gid.x] = mix(top, bottom, ty.lambda);
}

@compute @workgroup_size(8, 8, 1)
fn backward(@builtin(global_invocation_id) gid: vec3u) {
  if (gid.x >= p.w || gid.y >= p.h || gid.z >= p.planes) { return; }
  let plane = p.plane0 + gid.z;
  let rows = outputs_reading(gid.y, p.h, p.ho);
  let cols = outputs_reading(gid.x, p.w, p.wo);
  let base = plane * p.ho * p.wo;
  var s = 0.0;
  for (var oh = rows.x; oh <= rows.y; oh++) {
    let wy = weight(taps(u32(oh), p.h, p.ho), gid.y);
    if (wy == 0.0) { continue; }
    var row = 0.0;
    for (var ow = cols.x; ow <= cols.y; ow++) {
      row += weight(taps(u32(ow), p.w, p.wo), gid.x) * src[base + u32(oh) * p.wo + u32(ow)];
    }
    s += wy * row;
  }
  dst[(plane * p.h + gid.y) * p.w + gid.x] = s;
}
