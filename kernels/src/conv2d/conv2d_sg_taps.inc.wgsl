// The forward's sum over taps k = (ci, kh, kw) for a workgroup's 16 output channels m0 .. m0 + 15
// of group g (conv2d_sg.wgsl, conv2d_sg4.wgsl): lane sl loads the 16 weights of tap k0 + sl once
// per 8 taps, and each tap takes them by subgroupBroadcast (a register extract, no memory;
// subgroupShuffle for the last, partial group's live taps) and calls the includer's
// tap(w0, w1, w2, w3): the weights of channels m0 + 0..3, 4..7, 8..11, 12..15 (clamped to Cout_g).
fn all_taps(g: u32, m0: u32, sl: u32) {
  let k_len = p.cin_g * p.kh * p.kw;
  let row = g * p.cout_g;
  let last = p.cout_g - 1u;
  let r0 = (row + min(vec4u(m0) + vec4u(0u, 1u, 2u, 3u), vec4u(last))) * k_len;
  let r1 = (row + min(vec4u(m0) + vec4u(4u, 5u, 6u, 7u), vec4u(last))) * k_len;
  let r2 = (row + min(vec4u(m0) + vec4u(8u, 9u, 10u, 11u), vec4u(last))) * k_len;
  let r3 = (row + min(vec4u(m0) + vec4u(12u, 13u, 14u, 15u), vec4u(last))) * k_len;
  for (var k0 = 0u; k0 < k_len; k0 += 8u) {
    let kl = min(k0 + sl, k_len - 1u);
    let w0 = vec4f(wt[r0.x + kl], wt[r0.y + kl], wt[r0.z + kl], wt[r0.w + kl]);
    let w1 = vec4f(wt[r1.x + kl], wt[r1.y + kl], wt[r1.z + kl], wt[r1.w + kl]);
    let w2 = vec4f(wt[r2.x + kl], wt[r2.y + kl], wt[r2.z + kl], wt[r2.w + kl]);
    let w3 = vec4f(wt[r3.x + kl], wt[r3.y + kl], wt[r3.z + kl], wt[r3.w + kl]);
    if (k0 + 8u > k_len) {
      for (var t = 0u; k0 + t < k_len; t++) {
        tap(subgroupShuffle(w0, t), subgroupShuffle(w1, t), subgroupShuffle(w2, t), subgroupShuffle(w3, t));
      }
      return;
    }
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
