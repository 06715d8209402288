// What the subgroup variants share (conv2d_sg, conv2d_sg4 through conv2d_sg_taps.inc.wgsl,
// conv2d_dx_sg, conv2d_dw_sg). Lane l of a subgroup has loaded the 16 values (w0 .. w3: channels
// 0..3, 4..7, 8..11, 12..15 of the tile) of step k0 + l; taps hands steps k0 .. k0 + SG − 1 to the
// includer's tap(a0, a1, a2, a3): lanes 0 .. SG − 1 are read, so every subgroup must have at least
// SG lanes (SG = the adapter's smallest subgroup size, gpu.subgroupWidth()) and a workgroup at
// least SG invocations.
override SG: u32 = 8u;

fn taps(w0: vec4f, w1: vec4f, w2: vec4f, w3: vec4f) {
  // SG = 8 (lavapipe): subgroupBroadcast with constant lanes, a register extract on CPU SIMD
  if (SG == 8u) { taps8(w0, w1, w2, w3); return; }
  for (var t = 0u; t < SG; t++) {
    tap(subgroupShuffle(w0, t), subgroupShuffle(w1, t), subgroupShuffle(w2, t), subgroupShuffle(w3, t));
  }
}

fn taps8(w0: vec4f, w1: vec4f, w2: vec4f, w3: vec4f) {
  tap(subgroupBroadcast(w0, 0u), subgroupBroadcast(w1, 0u), subgroupBroadcast(w2, 0u), subgroupBroadcast(w3, 0u));
  tap(subgroupBroadcast(w0, 1u), subgroupBroadcast(w1, 1u), subgroupBroadcast(w2, 1u), subgroupBroadcast(w3, 1u));
  tap(subgroupBroadcast(w0, 2u), subgroupBroadcast(w1, 2u), subgroupBroadcast(w2, 2u), subgroupBroadcast(w3, 2u));
  tap(subgroupBroadcast(w0, 3u), subgroupBroadcast(w1, 3u), subgroupBroadcast(w2, 3u), subgroupBroadcast(w3, 3u));
  tap(subgroupBroadcast(w0, 4u), subgroupBroadcast(w1, 4u), subgroupBroadcast(w2, 4u), subgroupBroadcast(w3, 4u));
  tap(subgroupBroadcast(w0, 5u), subgroupBroadcast(w1, 5u), subgroupBroadcast(w2, 5u), subgroupBroadcast(w3, 5u));
  tap(subgroupBroadcast(w0, 6u), subgroupBroadcast(w1, 6u), subgroupBroadcast(w2, 6u), subgroupBroadcast(w3, 6u));
  tap(subgroupBroadcast(w0, 7u), subgroupBroadcast(w1, 7u), subgroupBroadcast(w2, 7u), subgroupBroadcast(w3, 7u));
}

// Two columns (pixels, or weight columns) × 16 channels of accumulators: acc[4j + q] holds
// channels 4q .. 4q + 3 of column j; acc_pair adds one step's products.
var<private> acc: array<vec4f, 8>;

fn acc_pair(a0: vec4f, a1: vec4f, a2: vec4f, a3: vec4f, b: vec2f) {
  acc[0] += a0 * b.x; acc[1] += a1 * b.x; acc[2] += a2 * b.x; acc[3] += a3 * b.x;
  acc[4] += a0 * b.y; acc[5] += a1 * b.y; acc[6] += a2 * b.y; acc[7] += a3 * b.y;
}
