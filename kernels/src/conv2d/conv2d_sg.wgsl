enable subgroups;
// conv2d forward, subgroup variant of conv2d.wgsl (same math, params, bindings and tiling).
// On lavapipe every storage load whose address is not a compile-time uniform (anything using
// a loop counter or workgroup_id) is a per-lane gather, so conv2d.wgsl pays 16 gathers of
// weights per tap. Here lane l of each subgroup loads the 16 weights of tap k0 + l once per
// 8 taps, and each tap takes them with subgroupBroadcast (a register extract, no memory).
// Needs subgroups of at least 8 lanes (the launcher checks gpu.subgroupsAtLeast(8)).
//   y[n, g·Cout_g + m, oh, ow] = bias + Σ_k W[g·Cout_g + m, k] · x[n, g·Cin_g + ci, oh·SH − PH + kh·DH, ow·SW − PW + kw·DW]
//   k = (ci, kh, kw); invocation owns pixels t·2·WG + lid and + WG, 16 output channels each.

override WG: u32 = 64u;

const TM = 16u; // output channels per workgroup

// #include "conv2d_params.inc.wgsl"
@group(0) @binding(1) var<storage, read> wt: array<f32>;   // (Cout, Cin_g, KH, KW)
@group(0) @binding(2) var<storage, read> x: array<f32>;    // (N, Cin, H, W)
@group(0) @binding(3) var<storage, read_write> y: array<f32>; // (N, Cout, Ho, Wo)
@group(0) @binding(4) var<storage, read> bias: array<f32>; // (Cout), any buffer when !has_bias


// accumulators c[pixel·4 + channel quad] and the tap counters, shared with tap()
var<private> acc: array<vec4f, 8>;
var<private> ci: u32;
var<private> kh: u32;
var<private> kw: u32;
var<private> xb: vec2u;
var<private> ih0: vec2i;
var<private> iw0: vec2i;

// one tap k = (ci, kh, kw): gather the two pixels' inputs, multiply by the 16 weights a
fn tap(a0: vec4f, a1: vec4f, a2: vec4f, a3: vec4f) {
  let ih = ih0 + i32(kh * p.dh);
  let iw = iw0 + i32(kw * p.dw);
  let ok = (vec2u(ih) < vec2u(p.h)) & (vec2u(iw) < vec2u(p.w)) & vec2(ci < p.cin_g);
  let idx = select(vec2u(0u), xb + ci * p.h * p.w + vec2u(ih) * p.w + vec2u(iw), ok);
  let b0 = select(0.0, x[idx.x], ok.x);
  let b1 = select(0.0, x[idx.y], ok.y);
  acc[0] += a0 * b0; acc[1] += a1 * b0; acc[2] += a2 * b0; acc[3] += a3 * b0;
  acc[4] += a0 * b1; acc[5] += a1 * b1; acc[6] += a2 * b1; acc[7] += a3 * b1;
  kw += 1u;
  if (kw == p.kw) { kw = 0u; kh += 1u; }
  if (kh == p.kh) { kh = 0u; ci += 1u; }
}

// #include "conv2d_sg_taps.inc.wgsl"

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32, @builtin(subgroup_invocation_id) sl: u32) {
  let g = wid.z / p.mtiles;
  let m0 = (wid.z % p.mtiles) * TM;
  let tile = wid.x + wid.y * nwg.x;
  let hw = p.h * p.w;
  let hw_o = p.ho * p.wo;
  let npix = p.n * hw_o;
  let pix0 = tile * WG * 2u + lid;
  let q0 = min(pix0, npix - 1u);
  let q1 = min(pix0 + WG, npix - 1u);
  xb = vec2u((q0 / hw_o * p.cin + g * p.cin_g) * hw, (q1 / hw_o * p.cin + g * p.cin_g) * hw);
  ih0 = vec2i(i32((q0 % hw_o) / p.wo * p.sh), i32((q1 % hw_o) / p.wo * p.sh)) - p.ph;
  iw0 = vec2i(i32((q0 % hw_o) % p.wo * p.sw), i32((q1 % hw_o) % p.wo * p.sw)) - p.pw;
  all_taps(g, m0, sl);
  let row = g * p.cout_g;
  let last = p.cout_g - 1u;
  var bv = array<vec4f, 4>(vec4f(0.0), vec4f(0.0), vec4f(0.0), vec4f(0.0));
  if (p.has_bias != 0u) {
    for (var q = 0u; q < 4u; q++) {
      for (var e = 0u; e < 4u; e++) { bv[q][e] = bias[row + min(m0 + 4u * q + e, last)]; }
    }
  }
  store(pix0, npix, g, m0, array<vec4f, 4>(acc[0] + bv[0], acc[1] + bv[1], acc[2] + bv[2], acc[3] + bv[3]));
  store(pix0 + WG, npix, g, m0, array<vec4f, 4>(acc[4] + bv[0], acc[5] + bv[1], acc[6] + bv[2], acc[7] + bv[3]));
}

fn store(pix: u32, npix: u32, g: u32, m0: u32, v: array<vec4f, 4>) {
  if (pix >= npix) { return; }
  let hw_o = p.ho * p.wo;
  let base = (pix / hw_o * p.cout + g * p.cout_g) * hw_o + pix % hw_o;
  for (var m = 0u; m < TM && m0 + m < p.cout_g; m++) {
    y[base + (m0 + m) * hw_o] = v[m / 4u][m % 4u];
  }
}
