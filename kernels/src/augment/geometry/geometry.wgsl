// Geometric self-supervision views: pure gathers, one invocation per output element.
//   rot90:   x (N, C, H, H) → y (N, C, H, H), y[n] = rot90(x[n], k = info[n]) counter-clockwise
//            (torch.rot90(x, k, dims = (-2, -1)))
//   jigsaw:  x (N, C, H, W) → y (N, G², C, TH, TW), TH = ⌊H/G⌋, TW = ⌊W/G⌋:
//            tile t of sample n is grid cell perms[info[n], t] (cells in raster order)
//   patches: x (N, C, H, W) → y (N, 2, C, P, P): patch 0 at (info[4n], info[4n+1]),
//            patch 1 at (info[4n+2], info[4n+3]) (the launcher draws the centre / neighbour origins)

struct Params { total: u32, c: u32, h: u32, w: u32, g: u32, th: u32, tw: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> info: array<i32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<storage, read> perms: array<i32>;

fn flat(gid: vec3u, nwg: vec3u) -> u32 { return gid.x + gid.y * nwg.x * 256u; }

@compute @workgroup_size(256)
fn rot90(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i >= p.total) { return; }
  let hw = p.h * p.w;
  let plane = i / hw;            // n·C + c
  let r = (i % hw) / p.w;
  let c = i % p.w;
  let last = p.w - 1u;
  var src: vec2u;                 // (row, col) in x
  switch u32(info[plane / p.c]) & 3u {
    case 1u: { src = vec2u(c, last - r); }
    case 2u: { src = vec2u(last - r, last - c); }
    case 3u: { src = vec2u(last - c, r); }
    default: { src = vec2u(r, c); }
  }
  y[i] = x[plane * hw + src.x * p.w + src.y];
}

@compute @workgroup_size(256)
fn jigsaw(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i >= p.total) { return; }
  let tile = p.th * p.tw;
  let cells = p.g * p.g;
  let col = i % p.tw;
  let row = (i / p.tw) % p.th;
  let ch = (i / tile) % p.c;
  let t = (i / (tile * p.c)) % cells;
  let n = i / (tile * p.c * cells);
  let cell = u32(perms[u32(info[n]) * cells + t]);
  let sy = (cell / p.g) * p.th + row;
  let sx = (cell % p.g) * p.tw + col;
  y[i] = x[((n * p.c + ch) * p.h + sy) * p.w + sx];
}

@compute @workgroup_size(256)
fn patches(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i >= p.total) { return; }
  let size = p.th;                // patch side P
  let col = i % size;
  let row = (i / size) % size;
  let ch = (i / (size * size)) % p.c;
  let which = (i / (size * size * p.c)) % 2u;
  let n = i / (size * size * p.c * 2u);
  let oy = u32(info[4u * n + 2u * which]);
  let ox = u32(info[4u * n + 2u * which + 1u]);
  y[i] = x[((n * p.c + ch) * p.h + oy + row) * p.w + ox + col];
}
