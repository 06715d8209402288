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

// Each invocation: 2 output pixels × TM = 16 output channels, as 8 vec4 accumulators
// (c<pixel><channel quad>); 16 weights per tap are 4 vec4s of uniform loads.

// #include "conv2d_params.inc.wgsl"
@group(0) @binding(1) var<storage, read> wt: array<f32>;   // (Cout, Cin_g, KH, KW)
@group(0) @binding(2) var<storage, read> x: array<f32>;    // (N, Cin, H, W)
@group(0) @binding(3) var<storage, read_write> y: array<f32>; // (N, Cout, Ho, Wo)
@group(0) @binding(4) var<storage, read> bias: array<f32>; // (Cout), any buffer when !has_bias

// #include "conv2d_store.inc.wgsl"

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let hw = p.h * p.w;
  let hw_o = p.ho * p.wo;
  let npix = p.n * hw_o;
  let k_len = p.cin_g * p.kh * p.kw;
  let t = pixel_pair(wid, nwg, lid, WG, npix);

  // the two pixels' image base offsets and top-left input corners
  let xb = (t.q / hw_o * p.cin + t.g * p.cin_g) * hw;
  let ih0 = vec2i(t.q % hw_o / p.wo * p.sh) - p.ph;
  let iw0 = vec2i(t.q % hw_o % p.wo * p.sw) - p.pw;

  // weight row offsets of the 16 channels, clamped inside the group (extra rows are not stored)
  let r = channel_rows(t.g * p.cout_g, t.m0, p.cout_g - 1u, k_len);

  var c00 = vec4f(0.0); var c01 = vec4f(0.0); var c02 = vec4f(0.0); var c03 = vec4f(0.0);
  var c10 = vec4f(0.0); var c11 = vec4f(0.0); var c12 = vec4f(0.0); var c13 = vec4f(0.0);
  var k = 0u;
  for (var ci = 0u; ci < p.cin_g; ci++) {
    for (var kh = 0u; kh < p.kh; kh++) {
      let ih = ih0 + i32(kh * p.dh);
      let rowok = vec2u(ih) < vec2u(p.h);
      let rb = xb + ci * hw + vec2u(ih) * p.w;
      for (var kw = 0u; kw < p.kw; kw++) {
        let iw = iw0 + i32(kw * p.dw);
        let ok = rowok & (vec2u(iw) < vec2u(p.w));
        let idx = select(vec2u(0u), rb + vec2u(iw), ok);
        let b0 = select(0.0, x[idx.x], ok.x);
        let b1 = select(0.0, x[idx.y], ok.y);
        let a0 = vec4f(wt[r[0].x + k], wt[r[0].y + k], wt[r[0].z + k], wt[r[0].w + k]);
        let a1 = vec4f(wt[r[1].x + k], wt[r[1].y + k], wt[r[1].z + k], wt[r[1].w + k]);
        let a2 = vec4f(wt[r[2].x + k], wt[r[2].y + k], wt[r[2].z + k], wt[r[2].w + k]);
        let a3 = vec4f(wt[r[3].x + k], wt[r[3].y + k], wt[r[3].z + k], wt[r[3].w + k]);
        c00 += a0 * b0; c01 += a1 * b0; c02 += a2 * b0; c03 += a3 * b0;
        c10 += a0 * b1; c11 += a1 * b1; c12 += a2 * b1; c13 += a3 * b1;
        k++;
      }
    }
  }

  store_pair(t, WG, npix, array<vec4f, 8>(c00, c01, c02, c03, c10, c11, c12, c13));
}
