// Optimizer steps over ALL parameters of a model in one dispatch (on layout.inc.wgsl: one
// workgroup per block of ≤ 1024 elements inside one segment). Per segment s:
//   lr_s = lr · lr_mul[s],  λ_s = weight_decay · wd_mul[s].
// Parameters w, gradients g and optimizer state are flat f32 buffers of one layout; state
// buffers start at zero. PyTorch's update rules:
//   sgd:   d = g + λw;  b ← μb + d  (dampening 0; b₀ = 0 makes step 1 give b = d, as PyTorch);
//          w ← w − lr·(nesterov ? d + μb : b).            sgd_plain: μ = 0, no buffer.
//   adam:  Adam: d = g + λw;  AdamW (decoupled): d = g, w ← w·(1 − lr·λ) first;
//          m ← β1·m + (1−β1)·d,  v ← β2·v + (1−β2)·d²,
//          w ← w − (lr / bc1) · m / (√v / √bc2 + ε),  bc_k = 1 − β_k^t (host, float64).
//   lars:  (You et al. 2017, SimCLR's form) trust = η‖w‖ / (‖g‖ + λ‖w‖) on LARS segments with
//          ‖w‖, ‖g‖ > 0, else 1 (‖·‖ per segment from segmentNorms, read from the GPU);
//          d = g + λw;  b ← μb + lr·trust·d;  w ← w − (nesterov ? μb + lr·trust·d : b).

// #include "layout.inc.wgsl"

struct Params {
  num_blocks: u32,
  lr: f32,
  wd: f32,
  momentum: f32,
  nesterov: u32,
  beta1: f32,
  beta2: f32,
  eps: f32,
  bc1: f32,
  sqrt_bc2: f32,
  decoupled: u32,
  eta: f32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(3) var<storage, read_write> w: array<f32>;
@group(0) @binding(4) var<storage, read> g: array<f32>;
@group(0) @binding(5) var<storage, read_write> s1: array<f32>;  // momentum buffer b | Adam m
@group(0) @binding(6) var<storage, read_write> s2: array<f32>;  // Adam v
@group(0) @binding(6) var<storage, read> w_norm: array<f32>;    // LARS: ‖w‖ per segment
@group(0) @binding(7) var<storage, read> g_norm: array<f32>;    // LARS: ‖g‖ per segment

// The workgroup's block: its segment (index seg), elements [first, end) of it this workgroup
// walks (first + k·WG + lid, k < PER_THREAD), and the segment's lr and weight decay; live = false
// past the last block.
struct Block { live: bool, seg: u32, first: u32, end: u32, lr: f32, wd: f32 }

fn block_of(wid: vec3u, nwg: vec3u) -> Block {
  let b = block_index(wid, nwg);
  let blk = blocks[min(b, p.num_blocks - 1u)];
  let s = segs[blk.x];
  return Block(b < p.num_blocks, blk.x, blk.y, s.start + s.len, p.lr * s.lr_mul, p.wd * s.wd_mul);
}

@compute @workgroup_size(WG)
fn sgd(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let bk = block_of(wid, nwg);
  if (!bk.live) { return; }
  for (var k = 0u; k < PER_THREAD; k++) {
    let i = bk.first + k * WG + lid;
    if (i < bk.end) {
      let d = g[i] + bk.wd * w[i];
      let v = p.momentum * s1[i] + d;
      s1[i] = v;
      w[i] -= bk.lr * select(v, d + p.momentum * v, p.nesterov != 0u);
    }
  }
}

@compute @workgroup_size(WG)
fn sgd_plain(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let bk = block_of(wid, nwg);
  if (!bk.live) { return; }
  for (var k = 0u; k < PER_THREAD; k++) {
    let i = bk.first + k * WG + lid;
    if (i < bk.end) { w[i] -= bk.lr * (g[i] + bk.wd * w[i]); }
  }
}

@compute @workgroup_size(WG)
fn adam(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let bk = block_of(wid, nwg);
  if (!bk.live) { return; }
  let step = bk.lr / p.bc1;
  let decoupled = p.decoupled != 0u;
  for (var k = 0u; k < PER_THREAD; k++) {
    let i = bk.first + k * WG + lid;
    if (i < bk.end) {
      let wi = w[i];
      let d = select(g[i] + bk.wd * wi, g[i], decoupled);
      let w0 = select(wi, wi * (1.0 - bk.lr * bk.wd), decoupled);
      let m = p.beta1 * s1[i] + (1.0 - p.beta1) * d;
      let v = p.beta2 * s2[i] + (1.0 - p.beta2) * d * d;
      s1[i] = m;
      s2[i] = v;
      w[i] = w0 - step * m / (sqrt(v) / p.sqrt_bc2 + p.eps);
    }
  }
}

@compute @workgroup_size(WG)
fn lars(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let bk = block_of(wid, nwg);
  if (!bk.live) { return; }
  var trust = 1.0;
  let wn = w_norm[bk.seg];
  let gn = g_norm[bk.seg];
  if (segs[bk.seg].lars != 0u && wn > 0.0 && gn > 0.0) { trust = p.eta * wn / (gn + bk.wd * wn); }
  let lr = bk.lr * trust;
  for (var k = 0u; k < PER_THREAD; k++) {
    let i = bk.first + k * WG + lid;
    if (i < bk.end) {
      let d = lr * (g[i] + bk.wd * w[i]);
      let v = p.momentum * s1[i] + d;
      s1[i] = v;
      w[i] -= select(v, d + p.momentum * v, p.nesterov != 0u);
    }
  }
}
