// conv2d by Winograd F(2×2, 3×3) (conv2d_winograd.ts): the input transform of images n0 .. n0 + b − 1
//   V[4·i + j, t, ci] = (Bᵀ · d · B)[i, j]       V (16, T, Cin), T = b·tH·tW, t = (β·tH + th)·tW + tw
//   d[r, s] = x[n0 + β, ci, 2·th − PH + r, 2·tw − PW + s]   (r, s < 4; 0 outside the image)
//   Bᵀ = [[1, 0, −1, 0], [0, 1, 1, 0], [0, −1, 1, 0], [0, 1, 0, −1]]
// x (N, Cin, H, W) read in place. One invocation per (t, 4 channels): 16 × 4 loads, 16 vec4 stores.

override WG: u32 = 64u;

struct Params {
  T: u32,
  n0: u32,
  cin4: u32, // Cin / 4
  h: u32, w: u32,
  tH: u32, tW: u32,
  ph: i32, pw: i32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;         // (N, Cin, H, W)
@group(0) @binding(2) var<storage, read_write> V: array<vec4f>; // (16, T, Cin / 4)

/** (a0, a1, a2, a3) · B */
fn bRow(a0: vec4f, a1: vec4f, a2: vec4f, a3: vec4f) -> array<vec4f, 4> {
  return array<vec4f, 4>(a0 - a2, a1 + a2, a2 - a1, a1 - a3);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + lid;
  if (i >= p.T * p.cin4) { return; }
  let c4 = i % p.cin4;
  let t = i / p.cin4;
  let tw = t % p.tW;
  let th = t / p.tW % p.tH;
  let img = p.n0 + t / (p.tW * p.tH);
  let hw = p.h * p.w;
  let plane0 = (img * p.cin4 + c4) * 4u * hw; // x[img, 4·c4]
  let ih0 = i32(2u * th) - p.ph;
  let iw0 = i32(2u * tw) - p.pw;
  var d: array<vec4f, 16>;
  for (var r = 0u; r < 4u; r++) {
    let ih = ih0 + i32(r);
    for (var s = 0u; s < 4u; s++) {
      let iw = iw0 + i32(s);
      let ok = u32(ih) < p.h && u32(iw) < p.w;
      let o = plane0 + select(0u, u32(ih) * p.w + u32(iw), ok);
      let v = vec4f(x[o], x[o + hw], x[o + 2u * hw], x[o + 3u * hw]);
      d[4u * r + s] = select(vec4f(0.0), v, ok);
    }
  }
  // Bᵀ · d: rows 0..3
  let t0 = bRow(d[0] - d[8], d[1] - d[9], d[2] - d[10], d[3] - d[11]);
  let t1 = bRow(d[4] + d[8], d[5] + d[9], d[6] + d[10], d[7] + d[11]);
  let t2 = bRow(d[8] - d[4], d[9] - d[5], d[10] - d[6], d[11] - d[7]);
  let t3 = bRow(d[4] - d[12], d[5] - d[13], d[6] - d[14], d[7] - d[15]);
  let plane = p.T * p.cin4;
  let o = t * p.cin4 + c4;
  for (var j = 0u; j < 4u; j++) {
    V[(0u + j) * plane + o] = t0[j];
    V[(4u + j) * plane + o] = t1[j];
    V[(8u + j) * plane + o] = t2[j];
    V[(12u + j) * plane + o] = t3[j];
  }
}
