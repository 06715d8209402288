enable subgroups;
// conv2d backward-weight, subgroup variant of conv2d_dw.wgsl (same math, params, bindings,
// tiling and split-K partials): the 16 dy rows of a workgroup are loaded by lane l for output
// column ow0 + l once per 8 columns and reach every lane by subgroupBroadcast.
//   part[s, g·Cout_g + m, c] = Σ_{(n, oh) in chunk s, ow} dy[n, g·Cout_g + m, oh, ow] · x[n, g·Cin_g + ci, oh·SH − PH + kh·DH, ow·SW − PW + kw·DW]
//   c = (ci, kh, kw); invocation owns columns t·2·WG + lid and + WG.
// Needs subgroups of at least 8 lanes (the launcher checks gpu.subgroupsAtLeast(8)).

override WG: u32 = 64u;

const TM = 16u; // output channels per workgroup

// #include "conv2d_params.inc.wgsl"
@group(0) @binding(1) var<storage, read> dy: array<f32>;    // (N, Cout, Ho, Wo)
@group(0) @binding(2) var<storage, read> x: array<f32>;     // (N, Cin, H, W)
@group(0) @binding(3) var<storage, read_write> part: array<f32>; // (splits, Cout, Cin_g·KH·KW)

// accumulators acc[column·4 + channel quad] and the tap state, shared with tap()
var<private> acc: array<vec4f, 8>;
var<private> ow: u32;
var<private> xrow: vec2u;  // x offset of (n, ci, ih) per column
var<private> rowok: vec2<bool>;
var<private> dw0: vec2i;   // kw·DW − PW per column

fn tap(a0: vec4f, a1: vec4f, a2: vec4f, a3: vec4f) {
  let iw = i32(ow * p.sw) + dw0;
  let ok = rowok & (vec2u(iw) < vec2u(p.w)) & vec2(ow < p.wo);
  let idx = select(vec2u(0u), xrow + vec2u(iw), ok);
  let b0 = select(0.0, x[idx.x], ok.x);
  let b1 = select(0.0, x[idx.y], ok.y);
  acc[0] += a0 * b0; acc[1] += a1 * b0; acc[2] += a2 * b0; acc[3] += a3 * b0;
  acc[4] += a0 * b1; acc[5] += a1 * b1; acc[6] += a2 * b1; acc[7] += a3 * b1;
  ow += 1u;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32, @builtin(subgroup_invocation_id) sl: u32) {
  let g = wid.z / p.mtiles;
  let m0 = (wid.z % p.mtiles) * TM;
  let kk = p.kh * p.kw;
  let cols = p.cin_g * kk;
  let hw = p.h * p.w;
  let hw_o = p.ho * p.wo;
  let c0 = min(wid.x * WG * 2u + lid, cols - 1u);
  let c1 = min(wid.x * WG * 2u + lid + WG, cols - 1u);
  let xofs = (g * p.cin_g + vec2u(c0 / kk, c1 / kk)) * hw;
  let dh0 = vec2i(vec2u(c0 % kk / p.kw, c1 % kk / p.kw) * p.dh) - p.ph;
  dw0 = vec2i(vec2u(c0 % kk % p.kw, c1 % kk % p.kw) * p.dw) - p.pw;
  // dy rows of the 16 channels (clamped inside the group; extra rows are not stored)
  let last = p.cout_g - 1u;
  let row = g * p.cout_g;
  let r0 = (row + min(vec4u(m0) + vec4u(0u, 1u, 2u, 3u), vec4u(last))) * hw_o;
  let r1 = (row + min(vec4u(m0) + vec4u(4u, 5u, 6u, 7u), vec4u(last))) * hw_o;
  let r2 = (row + min(vec4u(m0) + vec4u(8u, 9u, 10u, 11u), vec4u(last))) * hw_o;
  let r3 = (row + min(vec4u(m0) + vec4u(12u, 13u, 14u, 15u), vec4u(last))) * hw_o;

  let r_end = min((wid.y + 1u) * p.chunk, p.n * p.ho);
  for (var nr = wid.y * p.chunk; nr < r_end; nr++) {
    let n = nr / p.ho;
    let oh = nr % p.ho;
    let ih = i32(oh * p.sh) + dh0;
    rowok = vec2u(ih) < vec2u(p.h);
    xrow = n * p.cin * hw + xofs + vec2u(ih) * p.w;
    let dyb = n * p.cout * hw_o + oh * p.wo;
    ow = 0u;
    for (var ow0 = 0u; ow0 < p.wo; ow0 += 8u) {
      // lane sl holds the 16 dy values of column ow0 + sl (zero past the row's end)
      let o = dyb + min(ow0 + sl, p.wo - 1u);
      let live = f32(ow0 + sl < p.wo);
      let w0 = live * vec4f(dy[o + r0.x], dy[o + r0.y], dy[o + r0.z], dy[o + r0.w]);
      let w1 = live * vec4f(dy[o + r1.x], dy[o + r1.y], dy[o + r1.z], dy[o + r1.w]);
      let w2 = live * vec4f(dy[o + r2.x], dy[o + r2.y], dy[o + r2.z], dy[o + r2.w]);
      let w3 = live * vec4f(dy[o + r3.x], dy[o + r3.y], dy[o + r3.z], dy[o + r3.w]);
      tap(subgroupBroadcast(w0, 0u), subgroupBroadcast(w1, 0u), subgroupBroadcast(w2, 0u), subgroupBroadcast(w3, 0u));
      tap(subgroupBroadcast(w0, 1u), subgroupBroadcast(w1, 1u), subgroupBroadcast(w2, 1u), subgroupBroadcast(w3, 1u));
      tap(subgroupBroadcast(w0, 2u), subgroupBroadcast(w1, 2u), subgroupBroadcast(w2, 2u), subgroupBroadcast(w3, 2u));
      tap(subgroupBroadcast(w0, 3u), subgroupBroadcast(w1, 3u), subgroupBroadcast(w2, 3u), subgroupBroadcast(w3, 3u));
      tap(subgroupBroadcast(w0, 4u), subgroupBroadcast(w1, 4u), subgroupBroadcast(w2, 4u), subgroupBroadcast(w3, 4u));
      tap(subgroupBroadcast(w0, 5u), subgroupBroadcast(w1, 5u), subgroupBroadcast(w2, 5u), subgroupBroadcast(w3, 5u));
      tap(subgroupBroadcast(w0, 6u), subgroupBroadcast(w1, 6u), subgroupBroadcast(w2, 6u), subgroupBroadcast(w3, 6u));
      tap(subgroupBroadcast(w0, 7u), subgroupBroadcast(w1, 7u), subgroupBroadcast(w2, 7u), subgroupBroadcast(w3, 7u));
    }
  }
  store(wid.x * WG * 2u + lid, cols, wid.y, g, m0, array<vec4f, 4>(acc[0], acc[1], acc[2], acc[3]));
  store(wid.x * WG * 2u + lid + WG, cols, wid.y, g, m0, array<vec4f, 4>(acc[4], acc[5], acc[6], acc[7]));
}

fn store(c: u32, cols: u32, s: u32, g: u32, m0: u32, v: array<vec4f, 4>) {
  if (c >= cols) { return; }
  for (var m = 0u; m < TM && m0 + m < p.cout_g; m++) {
    part[(s * p.cout + g * p.cout_g + m0 + m) * cols + c] = v[m / 4u][m % 4u];
  }
}
