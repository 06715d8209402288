enable subgroups;
// conv2d backward-data, subgroup variant of conv2d_dx.wgsl (same math, params, bindings and
// tiling); the weights reach every lane by subgroupBroadcast as in conv2d_sg.wgsl.
//   dx[n, g·Cin_g + m, ih, iw] = Σ_k W[g·Cout_g + co, m, kh, kw] · dy[n, g·Cout_g + co, oh, ow]
//   k = (co, kh, kw), oh·SH = ih + PH − kh·DH, ow·SW = iw + PW − kw·DW (other terms vanish).
// Needs subgroups of at least SG lanes (see conv2d_sg_broadcast.inc.wgsl).

override SH: u32 = 1u;
override SW: u32 = 1u;
override WG: u32 = 64u;

// #include "conv2d_params.inc.wgsl"
@group(0) @binding(1) var<storage, read> wt: array<f32>;   // (Cout, Cin_g, KH, KW)
@group(0) @binding(2) var<storage, read> dy: array<f32>;   // (N, Cout, Ho, Wo)
@group(0) @binding(3) var<storage, read_write> dx: array<f32>; // (N, Cin, H, W)

// #include "conv2d_sg_taps.inc.wgsl"

// the two pixels' dy offsets and shifted corners, shared with tap()
var<private> dyb: vec2u; // dy offset of (n, g·Cout_g) per pixel
var<private> th0: vec2i; // ih + PH per pixel
var<private> tw0: vec2i;

// one tap k = (co = kc, kh, kw): gather the two pixels' dy terms, multiply by the 16 weights a
fn tap(a0: vec4f, a1: vec4f, a2: vec4f, a3: vec4f) {
  let th = th0 - i32(kh * p.dh);
  let tw = tw0 - i32(kw * p.dw);
  let oh = vec2u(th) / SH; // th < 0 wraps to a huge u32, so oh < ho rejects it
  let ow = vec2u(tw) / SW;
  let ok = (oh < vec2u(p.ho)) & (ow < vec2u(p.wo)) & (vec2u(th) % SH == vec2u(0u)) & (vec2u(tw) % SW == vec2u(0u)) & vec2(kc < p.cout_g);
  let idx = select(vec2u(0u), dyb + kc * p.ho * p.wo + oh * p.wo + ow, ok);
  acc_pair(a0, a1, a2, a3, select(vec2f(0.0), vec2f(dy[idx.x], dy[idx.y]), ok));
  next_tap();
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32, @builtin(subgroup_invocation_id) sl: u32) {
  let hw = p.h * p.w;
  let npix = p.n * hw;
  let t = pixel_pair(wid, nwg, lid, WG, npix);
  let g = t.g;
  let m0 = t.m0;
  let pix0 = t.pix0;
  let kk = p.kh * p.kw;
  let k_len = p.cout_g * kk;
  // the pixels' dy offsets of (n, g·Cout_g), and ih + PH, iw + PW
  dyb = (t.q / hw * p.cout + g * p.cout_g) * p.ho * p.wo;
  th0 = vec2i(t.q % hw / p.w) + p.ph;
  tw0 = vec2i(t.q % p.w) + p.pw;
  // W[g·Cout_g + co, m, r] = wt[(g·Cout_g + co)·Cin_g·kk + m·kk + r]: row part per channel m
  let r = channel_rows(0u, m0, p.cin_g - 1u, kk);
  // lane sl's tap k0 + sl = (lco, lr) as lco·kk + lr, stepped by SG per iteration without a
  // division (u32 division by a runtime value is scalarized on CPU SIMD)
  let sl0 = min(sl, k_len - 1u);
  var lco = sl0 / kk;
  var lr = sl0 % kk;
  let rowstride = p.cin_g * kk;
  let wg0 = g * p.cout_g * rowstride;
  for (var k0 = 0u; k0 < k_len; k0 += SG) {
    // lane sl holds the 16 weights of tap k0 + sl (zero past the end; clamped to the last tap)
    let live = f32(k0 + sl < k_len);
    let past = k0 + sl >= k_len;
    let base = select(wg0 + lco * rowstride + lr, wg0 + (p.cout_g - 1u) * rowstride + kk - 1u, past);
    lr += SG;
    while (lr >= kk) { lr -= kk; lco += 1u; }
    let w0 = live * vec4f(wt[base + r[0].x], wt[base + r[0].y], wt[base + r[0].z], wt[base + r[0].w]);
    let w1 = live * vec4f(wt[base + r[1].x], wt[base + r[1].y], wt[base + r[1].z], wt[base + r[1].w]);
    let w2 = live * vec4f(wt[base + r[2].x], wt[base + r[2].y], wt[base + r[2].z], wt[base + r[2].w]);
    let w3 = live * vec4f(wt[base + r[3].x], wt[base + r[3].y], wt[base + r[3].z], wt[base + r[3].w]);
    taps(w0, w1, w2, w3);
  }
  store(pix0, npix, g, m0, array<vec4f, 4>(acc[0], acc[1], acc[2], acc[3]));
  store(pix0 + WG, npix, g, m0, array<vec4f, 4>(acc[4], acc[5], acc[6], acc[7]));
}

fn store(pix: u32, npix: u32, g: u32, m0: u32, v: array<vec4f, 4>) {
  if (pix >= npix) { return; }
  let hw = p.h * p.w;
  let base = (pix / hw * p.cin + g * p.cin_g) * hw + pix % hw;
  for (var m = 0u; m < TM && m0 + m < p.cin_g; m++) {
    dx[base + (m0 + m) * hw] = v[m / 4u][m % 4u];
  }
}
