// batchnorm_pool.wgsl for K = 2 on even H and W (the same math, params, bindings and entry points):
// every window is two aligned pairs, x[r, 2·ow .. 2·ow + 1] and the row below, read (and dx
// written) as vec2s, and no element is outside a window. Window order (first max on ties):
// (top.x, top.y, bottom.x, bottom.y).

struct Params { n: u32, c: u32, h: u32, w: u32, ho: u32, wo: u32, eps: f32, flag: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<vec2f>;   // (N, C, H, W / 2)
@group(0) @binding(6) var<storage, read_write> y: array<f32>;   // forward: (N, C, Ho, Wo)
@group(0) @binding(6) var<storage, read> dy: array<f32>;        // backward
@group(0) @binding(9) var<storage, read_write> dx: array<vec2f>; // (N, C, H, W / 2)

// the window of cell (row t, ow): its two pairs, v = a·x + b of each, and the argmax (0..3) and max
struct Win { top: vec2f, bot: vec2f, at: u32, v: f32 }

fn window(base: u32, ow: u32, ab: vec2f) -> Win {
  let top = x[base + ow];
  let bot = x[base + p.w / 2u + ow];
  let vt = top * ab.x + ab.y;
  let vb = bot * ab.x + ab.y;
  var w = Win(top, bot, 0u, vt.x);
  if (vt.y > w.v) { w.at = 1u; w.v = vt.y; }
  if (vb.x > w.v) { w.at = 2u; w.v = vb.x; }
  if (vb.y > w.v) { w.at = 3u; w.v = vb.y; }
  return w;
}

// row t = (plane, oh) of cells: pairs from (plane·H + 2·oh)·W/2
fn row_base(t: u32) -> u32 { return (t / p.ho * p.h + t % p.ho * 2u) * (p.w / 2u); }

// x at the window's argmax
fn at_x(w: Win) -> f32 {
  let pair = select(w.top, w.bot, w.at >= 2u);
  return select(pair.x, pair.y, (w.at & 1u) != 0u);
}

// (v*, x at the argmax) of cell ow of the row whose windows start at `base`
fn cell_max(base: u32, ow: u32, ab: vec2f) -> vec2f {
  let w = window(base, ow, ab);
  return vec2f(w.v, at_x(w));
}

// #include "batchnorm_pool_cells.inc.wgsl"

@compute @workgroup_size(64)
fn backward_dx(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let r = cell_row(gid, nwg);
  if (!r.live) { return; }
  let k = dx_coef(r.c, f32(p.n * p.h * p.w));
  let base = r.base;
  for (var ow = 0u; ow < p.wo; ow++) {
    let w = window(base, ow, r.ab);
    let g = select(0.0, k.x * dy[r.t * p.wo + ow], w.v > 0.0);
    let hit = vec4u(w.at) == vec4u(0u, 1u, 2u, 3u);
    dx[base + ow] = select(vec2f(0.0), vec2f(g), hit.xy) + k.y * w.top + k.z;
    dx[base + p.w / 2u + ow] = select(vec2f(0.0), vec2f(g), hit.zw) + k.y * w.bot + k.z;
  }
}
