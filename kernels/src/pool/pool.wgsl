// 2-D pooling over NCHW planes (P = N·C planes of H×W), one invocation per output element,
// flat index over a 2-D grid: i = gid.x + gid.y · num_workgroups.x · 256.
//   window of output (oh, ow): rows oh·SH − PH + [0, KH), cols ow·SW − PW + [0, KW), clipped
//   to the image; Ho = ⌊(H + 2·PH − KH) / SH⌋ + 1.
//   max_fwd:  y = max over the window, idx = ih·W + iw of the max (first one on ties)
//   max_bwd:  dx[ih, iw] = Σ dy[oh, ow] over the windows covering (ih, iw) whose idx is it
//   max_bwd_cells (SH ≥ KH and SW ≥ KW: windows disjoint): one invocation per output writes
//             its cell, rows [oh·SH − PH, (oh + 1)·SH − PH) ∩ [0, H) (the last cell runs on to
//             H) and likewise cols: dx = dy at idx, 0 elsewhere. The cells tile the plane and
//             each holds its window, so every dx element has one writer; ~4× cheaper than
//             max_bwd's per-element window scan on lavapipe.
//   avg_fwd:  y = Σ window / divisor, divisor = KH·KW (count_include_pad) or the clipped count
//   avg_bwd:  dx[ih, iw] = Σ dy[oh, ow] / divisor(oh, ow) over the covering windows, one
//             invocation per input row (a per-element version spent its time in u32 divisions,
//             which lavapipe runs lane by lane)
//   gap_fwd:  y[p] = Σ_{H·W} x[p, ·] / (H·W);  gap_bwd: dx[p, ·] = dy[p] / (H·W)
// Backward passes gather over the covering windows (or own cells), so every dx element has one
// owner, no atomics. Measured on lavapipe: 256-wide, one element per invocation and plain u32
// division beat 64-wide, 4 per invocation and an f32-reciprocal division here.
// Bindings are per entry point (1, 2, … in launcher order).

struct Params {
  planes: u32, h: u32, w: u32, ho: u32,
  wo: u32, kh: u32, kw: u32, sh: u32,
  sw: u32, ph: i32, pw: i32, include_pad: u32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;      // x (forward) or dy (backward)
@group(0) @binding(2) var<storage, read_write> dst: array<f32>; // y (forward) or dx (backward)
@group(0) @binding(3) var<storage, read_write> argmax: array<i32>; // max_fwd writes
@group(0) @binding(3) var<storage, read> saved: array<i32>;        // max_bwd reads

fn flat(gid: vec3u, nwg: vec3u) -> u32 { return gid.x + gid.y * nwg.x * 256u; }

// [lo, hi) of output rows (or cols) whose window covers input position i
fn covering(i: u32, k: u32, s: u32, pad: i32, n_out: u32) -> vec2u {
  let t = i32(i) + pad; // = o·s + tap, tap in [0, k)
  let lo = max(t - i32(k) + i32(s), 0) / i32(s); // ⌈(t − k + 1) / s⌉ for t − k + 1 > 0
  let hi = min(t / i32(s) + 1, i32(n_out));
  return vec2u(u32(lo), u32(max(hi, lo)));
}

// window of output (oh, ow) clipped to the image: (row0, row1, col0, col1)
fn window(oh: u32, ow: u32) -> vec4i {
  let r0 = i32(oh * p.sh) - p.ph;
  let c0 = i32(ow * p.sw) - p.pw;
  return vec4i(max(r0, 0), min(r0 + i32(p.kh), i32(p.h)), max(c0, 0), min(c0 + i32(p.kw), i32(p.w)));
}

fn divisor(win: vec4i) -> f32 {
  if (p.include_pad != 0u) { return f32(p.kh * p.kw); }
  return f32((win.y - win.x) * (win.w - win.z));
}

@compute @workgroup_size(256)
fn max_fwd(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  let hw_o = p.ho * p.wo;
  if (i >= p.planes * hw_o) { return; }
  let plane = i / hw_o;
  let win = window(i % hw_o / p.wo, i % p.wo);
  let base = plane * p.h * p.w;
  var best = 0.0; // replaced by the first tap (at < 0)
  var at = -1;
  for (var r = win.x; r < win.y; r++) {
    for (var c = win.z; c < win.w; c++) {
      let k = r * i32(p.w) + c;
      let v = src[base + u32(k)];
      if (v > best || at < 0) { best = v; at = k; }
    }
  }
  dst[i] = best;
  argmax[i] = at;
}

@compute @workgroup_size(256)
fn max_bwd(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  let hw = p.h * p.w;
  if (i >= p.planes * hw) { return; }
  let plane = i / hw;
  let ih = i % hw / p.w;
  let iw = i % p.w;
  let rows = covering(ih, p.kh, p.sh, p.ph, p.ho);
  let cols = covering(iw, p.kw, p.sw, p.pw, p.wo);
  let me = i32(i % hw);
  var s = 0.0;
  for (var oh = rows.x; oh < rows.y; oh++) {
    for (var ow = cols.x; ow < cols.y; ow++) {
      let o = (plane * p.ho + oh) * p.wo + ow;
      if (saved[o] == me) { s += src[o]; }
    }
  }
  dst[i] = s;
}

@compute @workgroup_size(256)
fn max_bwd_cells(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  let hw_o = p.ho * p.wo;
  if (i >= p.planes * hw_o) { return; }
  let oh = i % hw_o / p.wo;
  let ow = i % p.wo;
  let g = src[i];
  let at = saved[i];
  let r0 = max(i32(oh * p.sh) - p.ph, 0);
  let c0 = max(i32(ow * p.sw) - p.pw, 0);
  let r1 = select(min(i32((oh + 1u) * p.sh) - p.ph, i32(p.h)), i32(p.h), oh + 1u == p.ho);
  let c1 = select(min(i32((ow + 1u) * p.sw) - p.pw, i32(p.w)), i32(p.w), ow + 1u == p.wo);
  let base = i / hw_o * p.h * p.w;
  for (var r = r0; r < r1; r++) {
    for (var c = c0; c < c1; c++) {
      let k = r * i32(p.w) + c;
      dst[base + u32(k)] = select(0.0, g, k == at);
    }
  }
}

@compute @workgroup_size(256)
fn avg_fwd(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  let hw_o = p.ho * p.wo;
  if (i >= p.planes * hw_o) { return; }
  let win = window(i % hw_o / p.wo, i % p.wo);
  let base = i / hw_o * p.h * p.w;
  var s = 0.0;
  for (var r = win.x; r < win.y; r++) {
    for (var c = win.z; c < win.w; c++) { s += src[base + u32(r * i32(p.w) + c)]; }
  }
  dst[i] = s / divisor(win);
}

@compute @workgroup_size(256)
fn avg_bwd(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg); // one input row (plane, ih) of W elements
  if (i >= p.planes * p.h) { return; }
  let plane = i / p.h;
  let rows = covering(i % p.h, p.kh, p.sh, p.ph, p.ho);
  let dy0 = plane * p.ho * p.wo;
  // walking along the row, window ow covers t = iw + PW while ow·SW ≤ t < ow·SW + KW: the
  // covering columns [lo, hi) only move right, so no division per element
  var lo = 0u;
  var hi = 0u;
  for (var iw = 0u; iw < p.w; iw++) {
    let t = i32(iw) + p.pw;
    while (hi < p.wo && i32(hi * p.sw) <= t) { hi++; }
    while (lo < hi && i32(lo * p.sw + p.kw) <= t) { lo++; }
    var s = 0.0;
    for (var oh = rows.x; oh < rows.y; oh++) {
      for (var ow = lo; ow < hi; ow++) {
        s += src[dy0 + oh * p.wo + ow] / divisor(window(oh, ow));
      }
    }
    dst[i * p.w + iw] = s;
  }
}

@compute @workgroup_size(256)
fn gap_fwd(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i >= p.planes) { return; }
  let hw = p.h * p.w;
  var s = 0.0;
  for (var k = 0u; k < hw; k++) { s += src[i * hw + k]; }
  dst[i] = s / f32(hw);
}

@compute @workgroup_size(256)
fn gap_bwd(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  let hw = p.h * p.w;
  if (i >= p.planes * hw) { return; }
  dst[i] = src[i / hw] / f32(hw);
}
