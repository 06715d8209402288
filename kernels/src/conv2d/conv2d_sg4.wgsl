enable subgroups;
// conv2d forward, conv2d_sg.wgsl (same math, params and bindings, y as vec4s) for Wo % 4 == 0:
// an invocation owns a strip of 4 consecutive output pixels of a row, (n, oh, 4·s .. 4·s + 3),
// × 16 output channels, and stores each channel's strip as one vec4. Per tap, the 4 pixels'
// inputs are gathered once and the 16 weights (from subgroupBroadcast, as in conv2d_sg.wgsl) feed
// 64 multiply-adds; half the weight gathers per output of conv2d_sg.wgsl, a quarter the stores.
//   y[n, g·Cout_g + m, oh, ow] = bias + Σ_k W[g·Cout_g + m, k] · x[n, g·Cin_g + ci, oh·SH − PH + kh·DH, ow·SW − PW + kw·DW]
//   k = (ci, kh, kw); invocation t = strip t of the flat (N, Ho, Wo / 4).

override WG: u32 = 64u;

// #include "conv2d_params.inc.wgsl"
@group(0) @binding(1) var<storage, read> wt: array<f32>;     // (Cout, Cin_g, KH, KW)
@group(0) @binding(2) var<storage, read> x: array<f32>;      // (N, Cin, H, W)
@group(0) @binding(3) var<storage, read_write> y: array<vec4f>; // (N, Cout, Ho, Wo / 4)
@group(0) @binding(4) var<storage, read> bias: array<f32>;   // (Cout), any buffer when !has_bias

// #include "conv2d_sg_taps.inc.wgsl"

// strip[4·j + q]: channels 4q .. 4q + 3 at pixel j of the strip; where the strip reads, shared with tap()
var<private> strip: array<vec4f, 16>;
var<private> xb: u32;   // x offset of (n, g·Cin_g)
var<private> ih0: i32;
var<private> iw0: vec4i; // the 4 pixels' first input column

// one tap k = (ci = kc, kh, kw): gather the 4 pixels' inputs, multiply by the 16 weights a
fn tap(a0: vec4f, a1: vec4f, a2: vec4f, a3: vec4f) {
  let ih = ih0 + i32(kh * p.dh);
  let iw = iw0 + i32(kw * p.dw);
  let ok = (vec4u(iw) < vec4u(p.w)) & vec4(u32(ih) < p.h && kc < p.cin_g);
  let row = xb + kc * p.h * p.w + u32(ih) * p.w;
  let idx = select(vec4u(0u), vec4u(row) + vec4u(iw), ok);
  let b = select(vec4f(0.0), vec4f(x[idx.x], x[idx.y], x[idx.z], x[idx.w]), ok);
  strip[0] += a0 * b.x; strip[1] += a1 * b.x; strip[2] += a2 * b.x; strip[3] += a3 * b.x;
  strip[4] += a0 * b.y; strip[5] += a1 * b.y; strip[6] += a2 * b.y; strip[7] += a3 * b.y;
  strip[8] += a0 * b.z; strip[9] += a1 * b.z; strip[10] += a2 * b.z; strip[11] += a3 * b.z;
  strip[12] += a0 * b.w; strip[13] += a1 * b.w; strip[14] += a2 * b.w; strip[15] += a3 * b.w;
  next_tap();
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32, @builtin(subgroup_invocation_id) sl: u32) {
  let g = wid.z / p.mtiles;
  let m0 = (wid.z % p.mtiles) * TM;
  let wo4 = p.wo / 4u;
  let strips = p.n * p.ho * wo4;
  let s = (wid.x + wid.y * nwg.x) * WG + lid;
  let q = min(s, strips - 1u); // lanes past the end compute the last strip and do not store
  let n = q / (p.ho * wo4);
  let oh = q / wo4 % p.ho;
  let ow0 = q % wo4 * 4u;
  xb = (n * p.cin + g * p.cin_g) * p.h * p.w;
  ih0 = i32(oh * p.sh) - p.ph;
  iw0 = vec4i((vec4u(ow0) + vec4u(0u, 1u, 2u, 3u)) * p.sw) - p.pw;
  all_taps(g, m0, sl);
  let row = g * p.cout_g;
  if (s >= strips) { return; }
  // y[n, row + m0 + m, oh, ow0 .. ow0 + 3] as one vec4 per channel
  let base = ((n * p.cout + row + m0) * p.ho + oh) * wo4 + ow0 / 4u;
  let plane = p.ho * wo4;
  for (var qd = 0u; qd < 4u; qd++) {
    for (var e = 0u; e < 4u; e++) {
      let m = 4u * qd + e;
      if (m0 + m >= p.cout_g) { return; }
      let b = select(0.0, bias[row + m0 + m], p.has_bias != 0u);
      y[base + m * plane] = vec4f(strip[qd][e], strip[4u + qd][e], strip[8u + qd][e], strip[12u + qd][e]) + b;
    }
  }
}
