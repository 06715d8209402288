// conv2d by Winograd F(2×2, 3×3) (conv2d_winograd.ts): the input transform of images n0 .. n0 + b − 1
//   V[4·i + j, t, ci] = (Bᵀ · d · B)[i, j]       V (16, T, Cin), T = b·tH·tW, t = (β·tH + th)·tW + tw
//   d[r, s] = x[n0 + β, ci, 2·th − PH + r, 2·tw − PW + s]   (r, s < 4; 0 outside the image)
//   Bᵀ = [[1, 0, −1, 0], [0, 1, 1, 0], [0, −1, 1, 0], [0, 1, 0, −1]]
// x (N, Cin, H, W) read in place. One invocation per (β, th, 4 channels), a row of tiles: the 4×4
// window slides by 2 columns per tile, so each tile loads 4 rows × 2 new columns × 4 channels
// (half of its 16 × 4: loads are per-lane gathers, the cost here), and stores 16 vec4s.

override WG: u32 = 64u;

struct Params {
  rows: u32, // b·tH
  n0: u32,
  cin4: u32, // Cin / 4
  h: u32, w: u32,
  tH: u32, tW: u32,
  ph: i32, pw: i32,
  T: u32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;         // (N, Cin, H, W)
@group(0) @binding(2) var<storage, read_write> V: array<vec4f>; // (16, T, Cin / 4)

/** Column iw of rows ih0 .. ih0 + 3 of the 4 channel planes at `plane0` (0 outside the image). */
fn column(plane0: u32, ih0: i32, iw: i32) -> array<vec4f, 4> {
  let hw = p.h * p.w;
  var c: array<vec4f, 4>;
  for (var r = 0u; r < 4u; r++) {
    let ih = ih0 + i32(r);
    let ok = u32(ih) < p.h && u32(iw) < p.w;
    let o = plane0 + select(0u, u32(ih) * p.w + u32(iw), ok);
    c[r] = select(vec4f(0.0), vec4f(x[o], x[o + hw], x[o + 2u * hw], x[o + 3u * hw]), ok);
  }
  return c;
}

/** (a0, a1, a2, a3) · B */
fn bRow(a0: vec4f, a1: vec4f, a2: vec4f, a3: vec4f) -> array<vec4f, 4> {
  return array<vec4f, 4>(a0 - a2, a1 + a2, a2 - a1, a1 - a3);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + lid;
  if (i >= p.rows * p.cin4) { return; }
  let c4 = i % p.cin4;
  let row = i / p.cin4; // β·tH + th
  let th = row % p.tH;
  let img = p.n0 + row / p.tH;
  let plane0 = (img * p.cin4 + c4) * 4u * p.h * p.w; // x[img, 4·c4]
  let ih0 = i32(2u * th) - p.ph;
  let plane = p.T * p.cin4;
  // the window's columns 0..3 (d[·, s] = col s), rows 0..3
  var c0 = column(plane0, ih0, -p.pw);
  var c1 = column(plane0, ih0, 1 - p.pw);
  for (var tw = 0u; tw < p.tW; tw++) {
    let iw = i32(2u * tw) - p.pw;
    let c2 = column(plane0, ih0, iw + 2);
    let c3 = column(plane0, ih0, iw + 3);
    // Bᵀ · d: rows 0..3, each then · B
    let t0 = bRow(c0[0] - c0[2], c1[0] - c1[2], c2[0] - c2[2], c3[0] - c3[2]);
    let t1 = bRow(c0[1] + c0[2], c1[1] + c1[2], c2[1] + c2[2], c3[1] + c3[2]);
    let t2 = bRow(c0[2] - c0[1], c1[2] - c1[1], c2[2] - c2[1], c3[2] - c3[1]);
    let t3 = bRow(c0[1] - c0[3], c1[1] - c1[3], c2[1] - c2[3], c3[1] - c3[3]);
    let o = (row * p.tW + tw) * p.cin4 + c4;
    for (var j = 0u; j < 4u; j++) {
      V[(0u + j) * plane + o] = t0[j];
      V[(4u + j) * plane + o] = t1[j];
      V[(8u + j) * plane + o] = t2[j];
      V[(12u + j) * plane + o] = t3[j];
    }
    c0 = c2;
    c1 = c3;
  }
}
