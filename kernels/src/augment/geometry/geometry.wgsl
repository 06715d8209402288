// Geometric self-supervision views: pure gathers, one invocation per output element.
//   rot90: x (N, C, H, H) → y (N, C, H, H), y[n] = rot90(x[n], k = info[n]) counter-clockwise
//          (torch.rot90(x, k, dims = (-2, -1)))
//   tiles: x (N, C, H, W) → y (N, K, C, S, S): tile t of sample n is the S×S window at
//          (info[2(nK + t)], info[2(nK + t) + 1]) (the launcher draws the origins: jigsaw tiles
//          in permuted order, K = g²; context prediction's centre and neighbour, K = 2)

struct Params { total: u32, c: u32, h: u32, w: u32, k: u32, size: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> info: array<i32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;

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
fn tiles(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i >= p.total) { return; }
  let col = i % p.size;
  let row = (i / p.size) % p.size;
  let ch = (i / (p.size * p.size)) % p.c;
  let nt = i / (p.size * p.size * p.c);   // n·K + t
  let n = nt / p.k;
  let oy = u32(info[2u * nt]);
  let ox = u32(info[2u * nt + 1u]);
  y[i] = x[((n * p.c + ch) * p.h + oy + row) * p.w + ox + col];
}
