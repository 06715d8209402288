enable subgroups;
// conv2d backward-data, subgroup variant of conv2d_dx.wgsl (same math, params, bindings and
// tiling); the weights reach every lane by subgroupBroadcast as in conv2d_sg.wgsl.
//   dx[n, g·Cin_g + m, ih, iw] = Σ_k W[g·Cout_g + co, m, kh, kw] · dy[n, g·Cout_g + co, oh, ow]
//   k = (co, kh, kw), oh·SH = ih + PH − kh·DH, ow·SW = iw + PW − kw·DW (other terms vanish).
// Needs subgroups of at least 8 lanes (the launcher checks gpu.subgroupsAtLeast(8)).

override SH: u32 = 1u;
override SW: u32 = 1u;
override WG: u32 = 64u;

const TM = 16u; // input channels per workgroup

// #include "conv2d_params.inc.wgsl"
@group(0) @binding(1) var<storage, read> wt: array<f32>;   // (Cout, Cin_g, KH, KW)
@group(0) @binding(2) var<storage, read> dy: array<f32>;   // (N, Cout, Ho, Wo)
@group(0) @binding(3) var<storage, read_write> dx: array<f32>; // (N, Cin, H, W)

// accumulators acc[pixel·4 + channel quad] and the tap counters, shared with tap()
var<private> acc: array<vec4f, 8>;
var<private> co: u32;
var<private> kh: u32;
var<private> kw: u32;
var<private> dyb: vec2u; // dy offset of (n, g·Cout_g) per pixel
var<private> th0: vec2i; // ih + PH per pixel
var<private> tw0: vec2i;

fn tap(a0: vec4f, a1: vec4f, a2: vec4f, a3: vec4f) {
  let th = th0 - i32(kh * p.dh);
  let tw = tw0 - i32(kw * p.dw);
  let oh = vec2u(th) / SH; // th < 0 wraps to a huge u32, so oh < ho rejects it
  let ow = vec2u(tw) / SW;
  let ok = (oh < vec2u(p.ho)) & (ow < vec2u(p.wo)) & (vec2u(th) % SH == vec2u(0u)) & (vec2u(tw) % SW == vec2u(0u)) & vec2(co < p.cout_g);
  let idx = select(vec2u(0u), dyb + co * p.ho * p.wo + oh * p.wo + ow, ok);
  let b0 = select(0.0, dy[idx.x], ok.x);
  let b1 = select(0.0, dy[idx.y], ok.y);
  acc[0] += a0 * b0; acc[1] += a1 * b0; acc[2] += a2 * b0; acc[3] += a3 * b0;
  acc[4] += a0 * b1; acc[5] += a1 * b1; acc[6] += a2 * b1; acc[7] += a3 * b1;
  kw += 1u;
  if (kw == p.kw) { kw = 0u; kh += 1u; }
  if (kh == p.kh) { kh = 0u; co += 1u; }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32, @builtin(subgroup_invocation_id) sl: u32) {
  let g = wid.z / p.mtiles;
  let m0 = (wid.z % p.mtiles) * TM;
  let tile = wid.x + wid.y * nwg.x;
  let hw = p.h * p.w;
  let hw_o = p.ho * p.wo;
  let npix = p.n * hw;
  let kk = p.kh * p.kw;
  let k_len = p.cout_g * kk;
  let pix0 = tile * WG * 2u + lid;
  let q0 = min(pix0, npix - 1u);
  let q1 = min(pix0 + WG, npix - 1u);
  dyb = vec2u((q0 / hw * p.cout + g * p.cout_g) * hw_o, (q1 / hw * p.cout + g * p.cout_g) * hw_o);
  th0 = vec2i(i32(q0 % hw / p.w), i32(q1 % hw / p.w)) + p.ph;
  tw0 = vec2i(i32(q0 % p.w), i32(q1 % p.w)) + p.pw;
  // W[g·Cout_g + co, m, r] = wt[(g·Cout_g + co)·Cin_g·kk + m·kk + r]: row part per channel m
  let last = p.cin_g - 1u;
  let r0 = min(vec4u(m0) + vec4u(0u, 1u, 2u, 3u), vec4u(last)) * kk;
  let r1 = min(vec4u(m0) + vec4u(4u, 5u, 6u, 7u), vec4u(last)) * kk;
  let r2 = min(vec4u(m0) + vec4u(8u, 9u, 10u, 11u), vec4u(last)) * kk;
  let r3 = min(vec4u(m0) + vec4u(12u, 13u, 14u, 15u), vec4u(last)) * kk;
  // lane sl's tap k0 + sl = (lco, lr) as lco·kk + lr, stepped by 8 per iteration without a
  // division (u32 division by a runtime value is scalarized on CPU SIMD)
  let sl0 = min(sl, k_len - 1u);
  var lco = sl0 / kk;
  var lr = sl0 % kk;
  let rowstride = p.cin_g * kk;
  let wg0 = g * p.cout_g * rowstride;
  for (var k0 = 0u; k0 < k_len; k0 += 8u) {
    // lane sl holds the 16 weights of tap k0 + sl (zero past the end; clamped to the last tap)
    let live = f32(k0 + sl < k_len);
    let past = k0 + sl >= k_len;
    let base = select(wg0 + lco * rowstride + lr, wg0 + (p.cout_g - 1u) * rowstride + kk - 1u, past);
    lr += 8u;
    while (lr >= kk) { lr -= kk; lco += 1u; }
    let w0 = live * vec4f(wt[base + r0.x], wt[base + r0.y], wt[base + r0.z], wt[base + r0.w]);
    let w1 = live * vec4f(wt[base + r1.x], wt[base + r1.y], wt[base + r1.z], wt[base + r1.w]);
    let w2 = live * vec4f(wt[base + r2.x], wt[base + r2.y], wt[base + r2.z], wt[base + r2.w]);
    let w3 = live * vec4f(wt[base + r3.x], wt[base + r3.y], wt[base + r3.z], wt[base + r3.w]);
    tap(subgroupBroadcast(w0, 0u), subgroupBroadcast(w1, 0u), subgroupBroadcast(w2, 0u), subgroupBroadcast(w3, 0u));
    tap(subgroupBroadcast(w0, 1u), subgroupBroadcast(w1, 1u), subgroupBroadcast(w2, 1u), subgroupBroadcast(w3, 1u));
    tap(subgroupBroadcast(w0, 2u), subgroupBroadcast(w1, 2u), subgroupBroadcast(w2, 2u), subgroupBroadcast(w3, 2u));
    tap(subgroupBroadcast(w0, 3u), subgroupBroadcast(w1, 3u), subgroupBroadcast(w2, 3u), subgroupBroadcast(w3, 3u));
    tap(subgroupBroadcast(w0, 4u), subgroupBroadcast(w1, 4u), subgroupBroadcast(w2, 4u), subgroupBroadcast(w3, 4u));
    tap(subgroupBroadcast(w0, 5u), subgroupBroadcast(w1, 5u), subgroupBroadcast(w2, 5u), subgroupBroadcast(w3, 5u));
    tap(subgroupBroadcast(w0, 6u), subgroupBroadcast(w1, 6u), subgroupBroadcast(w2, 6u), subgroupBroadcast(w3, 6u));
    tap(subgroupBroadcast(w0, 7u), subgroupBroadcast(w1, 7u), subgroupBroadcast(w2, 7u), subgroupBroadcast(w3, 7u));
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
