// conv2d forward as an implicit GEMM, per group g (no im2col buffer):
//   y[n, g·Cout_g + m, oh, ow] = bias[·] + Σ_k  W[g·Cout_g + m, k] · X_col[k, (n, oh, ow)]
//   k = (ci, kh, kw) over Cin_g·KH·KW,  X_col[k, ·] = x[n, g·Cin_g + ci, oh·SH − PH + kh·DH, ow·SW − PW + kw·DW]
//   (zero outside the image).
// Workgroup (tx, ty, z): z = g·mtiles + row tile, the TM output channels every invocation shares;
// flat column tile t = tx + ty·num_workgroups.x covers WG·TP output pixels, invocation i owns
// pixels t·WG·TP + i + j·WG (j < TP). The weight loads depend only on the workgroup and the
// loop counters, so they are uniform (one scalar load broadcast to the SIMD lanes on lavapipe);
// each lane gathers its own input pixel. No shared memory, no barriers: TM·TP accumulators per lane.
// Geometry is all params, so one pipeline serves every layer (each lavapipe pipeline costs
// seconds of LLVM time).

override WG: u32 = 64u;

// Each invocation: 2 output pixels × 16 output channels, as 8 vec4 accumulators
// (c<pixel><channel quad>); 16 weights per tap are 4 vec4s of uniform loads.
const TM = 16u;

// #include "conv2d_params.inc.wgsl"
@group(0) @binding(1) var<storage, read> wt: array<f32>;   // (Cout, Cin_g, KH, KW)
@group(0) @binding(2) var<storage, read> x: array<f32>;    // (N, Cin, H, W)
@group(0) @binding(3) var<storage, read_write> y: array<f32>; // (N, Cout, Ho, Wo)
@group(0) @binding(4) var<storage, read> bias: array<f32>; // (Cout), any buffer when !has_bias

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let g = wid.z / p.mtiles;
  let m0 = (wid.z % p.mtiles) * TM;
  let tile = wid.x + wid.y * nwg.x;
  let hw = p.h * p.w;
  let hw_o = p.ho * p.wo;
  let npix = p.n * hw_o;
  let kk = p.kh * p.kw;
  let k_len = p.cin_g * kk;

  // the two pixels (clamped when past the end): image base offset, top-left input corner
  let pix0 = tile * WG * 2u + lid;
  let q0 = min(pix0, npix - 1u);
  let q1 = min(pix0 + WG, npix - 1u);
  let xb0 = (q0 / hw_o * p.cin + g * p.cin_g) * hw;
  let xb1 = (q1 / hw_o * p.cin + g * p.cin_g) * hw;
  let ih0 = vec2i(i32((q0 % hw_o) / p.wo * p.sh), i32((q1 % hw_o) / p.wo * p.sh)) - p.ph;
  let iw0 = vec2i(i32((q0 % hw_o) % p.wo * p.sw), i32((q1 % hw_o) % p.wo * p.sw)) - p.pw;

  // weight row offsets of the 16 channels, clamped inside the group (extra rows are not stored)
  let row = g * p.cout_g;
  let last = p.cout_g - 1u;
  let r0 = (row + min(vec4u(m0) + vec4u(0u, 1u, 2u, 3u), vec4u(last))) * k_len;
  let r1 = (row + min(vec4u(m0) + vec4u(4u, 5u, 6u, 7u), vec4u(last))) * k_len;
  let r2 = (row + min(vec4u(m0) + vec4u(8u, 9u, 10u, 11u), vec4u(last))) * k_len;
  let r3 = (row + min(vec4u(m0) + vec4u(12u, 13u, 14u, 15u), vec4u(last))) * k_len;

  var c00 = vec4f(0.0); var c01 = vec4f(0.0); var c02 = vec4f(0.0); var c03 = vec4f(0.0);
  var c10 = vec4f(0.0); var c11 = vec4f(0.0); var c12 = vec4f(0.0); var c13 = vec4f(0.0);
  var k = 0u;
  for (var ci = 0u; ci < p.cin_g; ci++) {
    for (var kh = 0u; kh < p.kh; kh++) {
      let ih = ih0 + i32(kh * p.dh);
      let rowok = vec2u(ih) < vec2u(p.h);
      let rb = vec2u(xb0, xb1) + ci * hw + vec2u(ih) * p.w;
      for (var kw = 0u; kw < p.kw; kw++) {
        let iw = iw0 + i32(kw * p.dw);
        let ok = rowok & (vec2u(iw) < vec2u(p.w));
        let idx = select(vec2u(0u), rb + vec2u(iw), ok);
        let b0 = select(0.0, x[idx.x], ok.x);
        let b1 = select(0.0, x[idx.y], ok.y);
        let a0 = vec4f(wt[r0.x + k], wt[r0.y + k], wt[r0.z + k], wt[r0.w + k]);
        let a1 = vec4f(wt[r1.x + k], wt[r1.y + k], wt[r1.z + k], wt[r1.w + k]);
        let a2 = vec4f(wt[r2.x + k], wt[r2.y + k], wt[r2.z + k], wt[r2.w + k]);
        let a3 = vec4f(wt[r3.x + k], wt[r3.y + k], wt[r3.z + k], wt[r3.w + k]);
        c00 += a0 * b0; c01 += a1 * b0; c02 += a2 * b0; c03 += a3 * b0;
        c10 += a0 * b1; c11 += a1 * b1; c12 += a2 * b1; c13 += a3 * b1;
        k++;
      }
    }
  }

  var bv = array<vec4f, 4>(vec4f(0.0), vec4f(0.0), vec4f(0.0), vec4f(0.0));
  if (p.has_bias != 0u) {
    for (var q = 0u; q < 4u; q++) {
      for (var e = 0u; e < 4u; e++) { bv[q][e] = bias[row + min(m0 + 4u * q + e, last)]; }
    }
  }
  store(pix0, npix, g, m0, array<vec4f, 4>(c00 + bv[0], c01 + bv[1], c02 + bv[2], c03 + bv[3]));
  store(pix0 + WG, npix, g, m0, array<vec4f, 4>(c10 + bv[0], c11 + bv[1], c12 + bv[2], c13 + bv[3]));
}

fn store(pix: u32, npix: u32, g: u32, m0: u32, v: array<vec4f, 4>) {
  if (pix >= npix) { return; }
  let hw_o = p.ho * p.wo;
  let base = (pix / hw_o * p.cout + g * p.cout_g) * hw_o + pix % hw_o;
  for (var m = 0u; m < TM && m0 + m < p.cout_g; m++) {
    y[base + (m0 + m) * hw_o] = v[m / 4u][m % 4u];
  }
}
