// conv2d as a GEMM (conv2d_gemm.ts), backward-data step 2: fold the column gradient
// dcol = dYᵀ·W (rows = pixels of a chunk, Kp columns) back onto the input, as a gather (each
// input pixel sums its own KH·KW terms; no atomics, no zero-fill pass):
//   dx[n0 + b, ci, ih, iw] = Σ_{kh, kw} dcol[b·P + oh·Wo + ow, (ci·KH + kh)·KW + kw]
//   over oh·SH = ih + PH − kh·DH, ow·SW = iw + PW − kw·DW with 0 ≤ oh < Ho, 0 ≤ ow < Wo.
// One workgroup per (b, ci) plane (uniform), lanes over its H·W pixels. Strides are override
// constants so that / SH and % SH fold.

override WG: u32 = 64u;
override SH: u32 = 1u;
override SW: u32 = 1u;

struct Params {
  planes: u32, // b·Cin
  n0: u32,
  cin: u32, h: u32, w: u32, ho: u32, wo: u32,
  ph: i32, pw: i32,
  kh: u32, kw: u32, dh: u32, dw: u32,
  kp: u32,     // row length of dcol
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> dcol: array<f32>;     // (rows, Kp)
@group(0) @binding(2) var<storage, read_write> dx: array<f32>; // (N, Cin, H, W)

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let plane = wid.x + wid.y * nwg.x;
  if (plane >= p.planes) { return; }
  let b = plane / p.cin;
  let k0 = plane % p.cin * p.kh * p.kw; // first column of channel ci
  let r0 = b * p.ho * p.wo;             // first row of image b
  let hw = p.h * p.w;
  let out = (p.n0 * p.cin + plane) * hw;
  for (var q = lid; q < hw; q += WG) {
    let th0 = i32(q / p.w) + p.ph;
    let tw0 = i32(q % p.w) + p.pw;
    var s = 0.0;
    for (var kh = 0u; kh < p.kh; kh++) {
      let th = th0 - i32(kh * p.dh);
      let oh = u32(th) / SH; // th < 0 wraps to a huge u32, so oh < Ho rejects it
      let okh = oh < p.ho && u32(th) % SH == 0u;
      for (var kw = 0u; kw < p.kw; kw++) {
        let tw = tw0 - i32(kw * p.dw);
        let ow = u32(tw) / SW;
        let ok = okh && ow < p.wo && u32(tw) % SW == 0u;
        s += select(0.0, dcol[select(0u, (r0 + oh * p.wo + ow) * p.kp + k0 + kh * p.kw + kw, ok)], ok);
      }
    }
    dx[out + q] = s;
  }
}
