// conv2d as a GEMM (conv2d_gemm.ts): the column matrix from a channels-last copy of a chunk of
// images, for Cin % 4 == 0. Columns are tap-major so that each tap's Cin inputs of a pixel are
// Cin/4 whole vec4s, read and written as such (4 values per gather instead of 1):
//   col[b·P + oh·Wo + ow, (kh·KW + kw)·Cin + ci] = xh[(b·H + ih)·W + iw, ci]   (0 outside the image)
//   ih = oh·SH − PH + kh·DH, iw = ow·SW − PW + kw·DW;  xh (b·H·W, Cin) = x[n0 + b] channels-last
// One invocation per row (pixel), written front to back.

override WG: u32 = 64u;

struct Params {
  rows: u32,  // b·P
  h: u32, w: u32, ho: u32, wo: u32,
  ph: i32, pw: i32,
  kh: u32, kw: u32, sh: u32, sw: u32, dh: u32, dw: u32,
  cin4: u32,  // Cin / 4
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> xh: array<vec4f>;        // (b·H·W, Cin)
@group(0) @binding(2) var<storage, read_write> col: array<vec4f>; // (rows, KH·KW·Cin)

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = (wid.x + wid.y * nwg.x) * WG + lid;
  let row = min(r, p.rows - 1u); // lanes past the end compute row rows − 1 and do not store
  let hwo = p.ho * p.wo;
  let q = row % hwo;
  let img = row / hwo * p.h * p.w;
  let ih0 = i32(q / p.wo * p.sh) - p.ph;
  let iw0 = i32(q % p.wo * p.sw) - p.pw;
  var o = row * p.kh * p.kw * p.cin4;
  for (var kh = 0u; kh < p.kh; kh++) {
    let ih = ih0 + i32(kh * p.dh);
    for (var kw = 0u; kw < p.kw; kw++) {
      let iw = iw0 + i32(kw * p.dw);
      let ok = u32(ih) < p.h && u32(iw) < p.w;
      let base = select(0u, (img + u32(ih) * p.w + u32(iw)) * p.cin4, ok);
      for (var c4 = 0u; c4 < p.cin4; c4++) {
        let v = select(vec4f(0.0), xh[base + c4], ok);
        if (r < p.rows) { col[o] = v; }
        o += 1u;
      }
    }
  }
}
