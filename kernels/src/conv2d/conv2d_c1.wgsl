enable subgroups;
// conv2d with one input channel (Cin = 1, groups 1), 3×3, stride 1, dilation 1, Wo % 4 == 0 and
// Cout % 4 == 0: the first layer on grayscale images. Subgroups of exactly 8 lanes (the layout
// below is built on them: the launcher checks gpu.subgroupWidth({ widths: [8], exact: true })); a subgroup owns 32
// output channels (lane l: channels m0 + 4l .. 4l + 3, as vec4s) and walks a row (n, oh) in strips
// of 4 pixels ow0 .. ow0 + 3. The strip's 3×6 input patch
//   patch[r][s] = x[n, 0, oh − PH + r, ow0 − PW + s]   (0 outside the image)
// is loaded a column per lane (lanes 0..5: 3 loads each) and reaches every lane by
// subgroupBroadcast, so each lane gathers 3 values per strip for 144 multiply-adds.
//   forward:         y[n, co, oh, ow0 + j] = bias_co + Σ_{r, s < 3} W[co, 0, r, s] · patch[r][j + s]
//   backward_weight: part[split, co, 3r + s] = Σ_{(n, oh) of the split, j} dy[n, co, oh, ow0 + j] · patch[r][j + s]
// forward: 8 subgroups per workgroup, one row each; backward_weight: one subgroup per workgroup,
// rows chunk·split .. of its split (summed over splits afterwards).

struct Params {
  n: u32, h: u32, w: u32, cout: u32,
  ho: u32, wo: u32, ph: i32, pw: i32,
  has_bias: u32,
  chunk: u32, // backward_weight: (n, oh) rows per split
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(2) var<storage, read> x: array<f32>;          // (N, 1, H, W), both
@group(0) @binding(1) var<storage, read> wt: array<f32>;         // forward: (Cout, 1, 3, 3)
@group(0) @binding(3) var<storage, read_write> y: array<vec4f>;  // forward: (N, Cout, Ho, Wo / 4)
@group(0) @binding(4) var<storage, read> bias: array<f32>;       // forward: (Cout), any buffer when !has_bias
@group(0) @binding(1) var<storage, read> dy: array<vec4f>;       // backward_weight: (N, Cout, Ho, Wo / 4)
@group(0) @binding(3) var<storage, read_write> part: array<f32>; // backward_weight: (splits, Cout, 9)

// lane sl's column of the patch, rows r = 0..2 (lanes 6, 7 and the image's outside: 0)
fn column(n: u32, oh: u32, ow0: u32, sl: u32) -> vec3f {
  let iw = i32(ow0 + sl) - p.pw;
  let ih = vec3i(i32(oh) - p.ph) + vec3i(0, 1, 2);
  let ok = (vec3u(ih) < vec3u(p.h)) & vec3(u32(iw) < p.w && sl < 6u);
  let idx = select(vec3u(0u), vec3u(n * p.h * p.w) + vec3u(ih) * p.w + u32(iw), ok);
  return select(vec3f(0.0), vec3f(x[idx.x], x[idx.y], x[idx.z]), ok);
}

// the patch's 6 columns, from lanes 0..5
struct Patch { c0: vec3f, c1: vec3f, c2: vec3f, c3: vec3f, c4: vec3f, c5: vec3f }

fn gather_patch(col: vec3f) -> Patch {
  return Patch(subgroupBroadcast(col, 0u), subgroupBroadcast(col, 1u), subgroupBroadcast(col, 2u),
    subgroupBroadcast(col, 3u), subgroupBroadcast(col, 4u), subgroupBroadcast(col, 5u));
}

// forward: the lane's 4 channels' weights, tap t = 3r + s
var<private> wv: array<vec4f, 9>;

// Σ_t W[·, t] · the pixel's taps, its columns a, b, c (s = 0, 1, 2), rows .x .y .z (r = 0, 1, 2)
fn pixel(a: vec3f, b: vec3f, c: vec3f) -> vec4f {
  return wv[0] * a.x + wv[1] * b.x + wv[2] * c.x + wv[3] * a.y + wv[4] * b.y + wv[5] * c.y + wv[6] * a.z + wv[7] * b.z + wv[8] * c.z;
}

@compute @workgroup_size(64)
fn forward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32, @builtin(subgroup_invocation_id) sl: u32) {
  let rows = p.n * p.ho;
  let row = min((wid.x + wid.y * nwg.x) * 8u + lid / 8u, rows - 1u); // subgroups past the end redo the last row
  let live = (wid.x + wid.y * nwg.x) * 8u + lid / 8u < rows;
  let n = row / p.ho;
  let oh = row % p.ho;
  let co = wid.z * 32u + 4u * sl; // the lane's first channel
  let on = live && co < p.cout;
  let c = min(co, p.cout - 4u);
  for (var t = 0u; t < 9u; t++) { wv[t] = vec4f(wt[c * 9u + t], wt[(c + 1u) * 9u + t], wt[(c + 2u) * 9u + t], wt[(c + 3u) * 9u + t]); }
  var b = vec4f(0.0);
  if (p.has_bias != 0u) { b = vec4f(bias[c], bias[c + 1u], bias[c + 2u], bias[c + 3u]); }
  let wo4 = p.wo / 4u;
  let plane = p.ho * wo4;
  let out = ((n * p.cout + c) * p.ho + oh) * wo4;
  for (var s4 = 0u; s4 < wo4; s4++) {
    let q = gather_patch(column(n, oh, 4u * s4, sl));
    let o0 = pixel(q.c0, q.c1, q.c2) + b;
    let o1 = pixel(q.c1, q.c2, q.c3) + b;
    let o2 = pixel(q.c2, q.c3, q.c4) + b;
    let o3 = pixel(q.c3, q.c4, q.c5) + b;
    if (on) {
      y[out + s4] = vec4f(o0.x, o1.x, o2.x, o3.x);
      y[out + plane + s4] = vec4f(o0.y, o1.y, o2.y, o3.y);
      y[out + 2u * plane + s4] = vec4f(o0.z, o1.z, o2.z, o3.z);
      y[out + 3u * plane + s4] = vec4f(o0.w, o1.w, o2.w, o3.w);
    }
  }
}

// backward_weight: acc[t] for the lane's 4 channels
var<private> acc: array<vec4f, 9>;

// acc += the pixel's dy (4 channels) times its taps, columns a, b, c
fn accumulate(d: vec4f, a: vec3f, b: vec3f, c: vec3f) {
  acc[0] += d * a.x; acc[1] += d * b.x; acc[2] += d * c.x;
  acc[3] += d * a.y; acc[4] += d * b.y; acc[5] += d * c.y;
  acc[6] += d * a.z; acc[7] += d * b.z; acc[8] += d * c.z;
}

@compute @workgroup_size(8)
fn backward_weight(@builtin(workgroup_id) wid: vec3u, @builtin(subgroup_invocation_id) sl: u32) {
  let co = wid.z * 32u + 4u * sl;
  let c = min(co, p.cout - 4u);
  let wo4 = p.wo / 4u;
  let plane = p.ho * wo4;
  let r_end = min((wid.x + 1u) * p.chunk, p.n * p.ho);
  for (var row = wid.x * p.chunk; row < r_end; row++) {
    let n = row / p.ho;
    let oh = row % p.ho;
    let at = ((n * p.cout + c) * p.ho + oh) * wo4;
    for (var s4 = 0u; s4 < wo4; s4++) {
      let q = gather_patch(column(n, oh, 4u * s4, sl));
      // dy of the lane's channels c .. c + 3 over the strip, transposed to pixels
      let d0 = dy[at + s4];
      let d1 = dy[at + plane + s4];
      let d2 = dy[at + 2u * plane + s4];
      let d3 = dy[at + 3u * plane + s4];
      accumulate(vec4f(d0.x, d1.x, d2.x, d3.x), q.c0, q.c1, q.c2);
      accumulate(vec4f(d0.y, d1.y, d2.y, d3.y), q.c1, q.c2, q.c3);
      accumulate(vec4f(d0.z, d1.z, d2.z, d3.z), q.c2, q.c3, q.c4);
      accumulate(vec4f(d0.w, d1.w, d2.w, d3.w), q.c3, q.c4, q.c5);
    }
  }
  if (co >= p.cout) { return; }
  let base = (wid.x * p.cout + co) * 9u;
  for (var t = 0u; t < 9u; t++) {
    part[base + t] = acc[t].x;
    part[base + 9u + t] = acc[t].y;
    part[base + 18u + t] = acc[t].z;
    part[base + 27u + t] = acc[t].w;
  }
}
