// conv2d backward-data as an implicit GEMM, per group g:
//   dx[n, g·Cin_g + m, ih, iw] = Σ_k  W[g·Cout_g + co, m, kh, kw] · dy[n, g·Cout_g + co, oh, ow]
//   k = (co, kh, kw) over Cout_g·KH·KW, where oh·SH = ih + PH − kh·DH and ow·SW = iw + PW − kw·DW
//   (terms whose oh/ow is fractional or outside the output vanish).
// Same layout as conv2d.wgsl (the stride is an override so that the per-tap division by it folds; the rest are params): workgroup z = g·mtiles + row tile of TM input channels (uniform
// weight loads), invocation i owns input pixels t·WG·TP + i + j·WG; each lane gathers dy.

override SH: u32 = 1u;
override SW: u32 = 1u;
override WG: u32 = 64u;

const TP = 2u;  // input pixels per invocation

// #include "conv2d_params.inc.wgsl"
@group(0) @binding(1) var<storage, read> wt: array<f32>;   // (Cout, Cin_g, KH, KW)
@group(0) @binding(2) var<storage, read> dy: array<f32>;   // (N, Cout, Ho, Wo)
@group(0) @binding(3) var<storage, read_write> dx: array<f32>; // (N, Cin, H, W)

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let hw = p.h * p.w;
  let hw_o = p.ho * p.wo;
  let npix = p.n * hw;
  let kk = p.kh * p.kw;
  let t = pixel_pair(wid, nwg, lid, WG, npix);
  let g = t.g;
  let m0 = t.m0;

  var dybase: array<u32, TP>;
  var th0: array<i32, TP>; // ih + PH: oh·SH + kh·DH must equal it
  var tw0: array<i32, TP>;
  for (var j = 0u; j < TP; j++) {
    let pix = t.q[j];
    let n = pix / hw;
    let r = pix % hw;
    dybase[j] = (n * p.cout + g * p.cout_g) * hw_o;
    th0[j] = i32(r / p.w) + p.ph;
    tw0[j] = i32(r % p.w) + p.pw;
  }
  // W[g·Cout_g + co, m, kh, kw] = wt[(g·Cout_g + co)·Cin_g·kk + m·kk + kh·KW + kw]
  var wrow: array<u32, TM>;
  for (var m = 0u; m < TM; m++) { wrow[m] = g * p.cout_g * p.cin_g * kk + min(m0 + m, p.cin_g - 1u) * kk; }
  let wstride = p.cin_g * kk; // next output channel

  var acc: array<array<f32, TM>, TP>;
  for (var co = 0u; co < p.cout_g; co++) {
    for (var kh = 0u; kh < p.kh; kh++) {
      for (var kw = 0u; kw < p.kw; kw++) {
        var b: array<f32, TP>;
        for (var j = 0u; j < TP; j++) {
          let th = th0[j] - i32(kh * p.dh);
          let tw = tw0[j] - i32(kw * p.dw);
          let oh = u32(th) / SH;
          let ow = u32(tw) / SW;
          // th < 0 wraps to a huge u32, so oh < ho also rejects it
          let ok = oh < p.ho && ow < p.wo && u32(th) % SH == 0u && u32(tw) % SW == 0u;
          let idx = dybase[j] + co * hw_o + oh * p.wo + ow;
          b[j] = select(0.0, dy[select(0u, idx, ok)], ok);
        }
        let kofs = co * wstride + kh * p.kw + kw;
        for (var m = 0u; m < TM; m++) {
          let a = wt[wrow[m] + kofs];
          for (var j = 0u; j < TP; j++) { acc[j][m] += a * b[j]; }
        }
      }
    }
  }

  for (var j = 0u; j < TP; j++) {
    let pix = t.pix0 + j * WG;
    if (pix >= npix) { continue; }
    let n = pix / hw;
    let r = pix % hw;
    for (var m = 0u; m < TM; m++) {
      if (m0 + m >= p.cin_g) { break; }
      dx[(n * p.cin + g * p.cin_g + m0 + m) * hw + r] = acc[j][m];
    }
  }
}
