enable subgroups;
// conv2d backward-weight, subgroup variant of conv2d_dw.wgsl (same math, params, bindings,
// tiling and split-K partials): the 16 dy rows of a workgroup are loaded by lane l for output
// column ow0 + l once per SG columns and reach every lane by subgroupBroadcast / subgroupShuffle.
//   part[s, g·Cout_g + m, c] = Σ_{(n, oh) in chunk s, ow} dy[n, g·Cout_g + m, oh, ow] · x[n, g·Cin_g + ci, oh·SH − PH + kh·DH, ow·SW − PW + kw·DW]
//   c = (ci, kh, kw); invocation owns columns t·2·WG + lid and + WG.
// Needs subgroups of at least SG lanes and WG ≥ SG (see conv2d_sg_broadcast.inc.wgsl).

override WG: u32 = 64u;

// #include "conv2d_params.inc.wgsl"
@group(0) @binding(1) var<storage, read> dy: array<f32>;    // (N, Cout, Ho, Wo)
@group(0) @binding(2) var<storage, read> x: array<f32>;     // (N, Cin, H, W)
@group(0) @binding(3) var<storage, read_write> part: array<f32>; // (splits, Cout, Cin_g·KH·KW)

// #include "conv2d_sg_broadcast.inc.wgsl"

// the step (output column ow) and where the two weight columns read x, shared with tap()
var<private> ow: u32;
var<private> xrow: vec2u;  // x offset of (n, ci, ih) per column
var<private> rowok: vec2<bool>;
var<private> dw0: vec2i;   // kw·DW − PW per column

// one output column ow: gather the two weight columns' inputs, multiply by the 16 dy values a
fn tap(a0: vec4f, a1: vec4f, a2: vec4f, a3: vec4f) {
  let iw = i32(ow * p.sw) + dw0;
  let ok = rowok & (vec2u(iw) < vec2u(p.w)) & vec2(ow < p.wo);
  let idx = select(vec2u(0u), xrow + vec2u(iw), ok);
  acc_pair(a0, a1, a2, a3, select(vec2f(0.0), vec2f(x[idx.x], x[idx.y]), ok));
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
  // dy planes of the 16 channels (clamped inside the group; extra rows are not stored)
  let r = channel_rows(g * p.cout_g, m0, p.cout_g - 1u, hw_o);

  let r_end = min((wid.y + 1u) * p.chunk, p.n * p.ho);
  for (var nr = wid.y * p.chunk; nr < r_end; nr++) {
    let n = nr / p.ho;
    let oh = nr % p.ho;
    let ih = i32(oh * p.sh) + dh0;
    rowok = vec2u(ih) < vec2u(p.h);
    xrow = n * p.cin * hw + xofs + vec2u(ih) * p.w;
    let dyb = n * p.cout * hw_o + oh * p.wo;
    ow = 0u;
    for (var ow0 = 0u; ow0 < p.wo; ow0 += SG) {
      // lane sl holds the 16 dy values of column ow0 + sl (zero past the row's end)
      let o = dyb + min(ow0 + sl, p.wo - 1u);
      let live = f32(ow0 + sl < p.wo);
      let w0 = live * vec4f(dy[o + r[0].x], dy[o + r[0].y], dy[o + r[0].z], dy[o + r[0].w]);
      let w1 = live * vec4f(dy[o + r[1].x], dy[o + r[1].y], dy[o + r[1].z], dy[o + r[1].w]);
      let w2 = live * vec4f(dy[o + r[2].x], dy[o + r[2].y], dy[o + r[2].z], dy[o + r[2].w]);
      let w3 = live * vec4f(dy[o + r[3].x], dy[o + r[3].y], dy[o + r[3].z], dy[o + r[3].w]);
      taps(w0, w1, w2, w3);
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
