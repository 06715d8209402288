enable subgroups;
// conv2d forward, subgroup variant of conv2d.wgsl (same math, params, bindings and tiling).
// On lavapipe every storage load whose address is not a compile-time uniform (anything using
// a loop counter or workgroup_id) is a per-lane gather, so conv2d.wgsl pays 16 gathers of
// weights per tap. Here lane l of each subgroup loads the 16 weights of tap k0 + l once per
// SG taps, and each tap takes them with subgroupBroadcast (a register extract, no memory).
// Needs subgroups of at least SG lanes (see conv2d_sg_broadcast.inc.wgsl).
//   y[n, g·Cout_g + m, oh, ow] = bias + Σ_k W[g·Cout_g + m, k] · x[n, g·Cin_g + ci, oh·SH − PH + kh·DH, ow·SW − PW + kw·DW]
//   k = (ci, kh, kw); invocation owns pixels t·2·WG + lid and + WG, 16 output channels each.

override WG: u32 = 64u;

// #include "conv2d_params.inc.wgsl"
@group(0) @binding(1) var<storage, read> wt: array<f32>;   // (Cout, Cin_g, KH, KW)
@group(0) @binding(2) var<storage, read> x: array<f32>;    // (N, Cin, H, W)
@group(0) @binding(3) var<storage, read_write> y: array<f32>; // (N, Cout, Ho, Wo)
@group(0) @binding(4) var<storage, read> bias: array<f32>; // (Cout), any buffer when !has_bias

// #include "conv2d_sg_taps.inc.wgsl"
// #include "conv2d_store.inc.wgsl"

// the two pixels' image offsets and top-left input corners, shared with tap()
var<private> xb: vec2u;
var<private> ih0: vec2i;
var<private> iw0: vec2i;

// one tap k = (ci = kc, kh, kw): gather the two pixels' inputs, multiply by the 16 weights a
fn tap(a0: vec4f, a1: vec4f, a2: vec4f, a3: vec4f) {
  let ih = ih0 + i32(kh * p.dh);
  let iw = iw0 + i32(kw * p.dw);
  let ok = (vec2u(ih) < vec2u(p.h)) & (vec2u(iw) < vec2u(p.w)) & vec2(kc < p.cin_g);
  let idx = select(vec2u(0u), xb + kc * p.h * p.w + vec2u(ih) * p.w + vec2u(iw), ok);
  acc_pair(a0, a1, a2, a3, select(vec2f(0.0), vec2f(x[idx.x], x[idx.y]), ok));
  next_tap();
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32, @builtin(subgroup_invocation_id) sl: u32) {
  let hw_o = p.ho * p.wo;
  let npix = p.n * hw_o;
  let t = pixel_pair(wid, nwg, lid, WG, npix);
  // the pixels' image offsets and top-left input corners
  xb = (t.q / hw_o * p.cin + t.g * p.cin_g) * p.h * p.w;
  ih0 = vec2i(t.q % hw_o / p.wo * p.sh) - p.ph;
  iw0 = vec2i(t.q % hw_o % p.wo * p.sw) - p.pw;
  all_taps(t.g, t.m0, sl);
  store_pair(t, WG, npix, acc);
}
