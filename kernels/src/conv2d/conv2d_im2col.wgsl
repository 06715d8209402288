// conv2d as a GEMM (conv2d_gemm.ts), step 1: the column matrix of a chunk of images, one row
// per output pixel, in the layout matmul_sg.wgsl reads as vec4 along k (groups = 1):
//   col[b·P + oh·Wo + ow, k] = x[n0 + b, ci, oh·SH − PH + kh·DH, ow·SW − PW + kw·DW]
//   k = (ci·KH + kh)·KW + kw < K = Cin·KH·KW; 0 outside the image and for K ≤ k < Kp = ⌈K/4⌉·4
// One invocation per row (pixel): it writes its row front to back, one vec4 per 4 taps, and
// walks (ci, kh, kw) by increments (the same for every lane, so no division in the loop).

override WG: u32 = 64u;

struct Params {
  rows: u32,  // b·P: pixels of the images n0 .. n0 + b − 1
  n0: u32,
  cin: u32, h: u32, w: u32, ho: u32, wo: u32,
  ph: i32, pw: i32,
  kh: u32, kw: u32, sh: u32, sw: u32, dh: u32, dw: u32,
  kp4: u32,   // Kp / 4: vec4s per row
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;          // (N, Cin, H, W)
@group(0) @binding(2) var<storage, read_write> col: array<vec4f>; // (rows, Kp)

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = (wid.x + wid.y * nwg.x) * WG + lid;
  let row = min(r, p.rows - 1u); // lanes past the end compute row rows − 1 and do not store
  let hwo = p.ho * p.wo;
  let q = row % hwo;
  let hw = p.h * p.w;
  var xb = (p.n0 + row / hwo) * p.cin * hw; // plane of input channel ci
  let ih0 = i32(q / p.wo * p.sh) - p.ph;
  let iw0 = i32(q % p.wo * p.sw) - p.pw;
  var ci = 0u;
  var kh = 0u;
  var kw = 0u;
  for (var k4 = 0u; k4 < p.kp4; k4++) {
    var v: vec4f;
    for (var e = 0u; e < 4u; e++) {
      let ih = ih0 + i32(kh * p.dh);
      let iw = iw0 + i32(kw * p.dw);
      let ok = u32(ih) < p.h && u32(iw) < p.w && ci < p.cin;
      v[e] = select(0.0, x[select(0u, xb + u32(ih) * p.w + u32(iw), ok)], ok);
      kw += 1u;
      if (kw == p.kw) { kw = 0u; kh += 1u; }
      if (kh == p.kh) { kh = 0u; ci += 1u; xb += hw; }
    }
    if (r < p.rows) { col[row * p.kp4 + k4] = v; }
  }
}
