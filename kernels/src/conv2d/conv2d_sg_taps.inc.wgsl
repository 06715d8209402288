// The taps k = (kc, kh, kw) of the subgroup variants (conv2d_sg, conv2d_sg4: kc = ci over Cin_g;
// conv2d_dx_sg: kc = co over Cout_g), walked in order: the includer's tap() reads the counters,
// then calls next_tap().
// #include "conv2d_sg_broadcast.inc.wgsl"

var<private> kc: u32;
var<private> kh: u32;
var<private> kw: u32;

fn next_tap() {
  kw += 1u;
  if (kw == p.kw) { kw = 0u; kh += 1u; }
  if (kh == p.kh) { kh = 0u; kc += 1u; }
}

// The forward's sum over taps k = (ci, kh, kw) for a workgroup's 16 output channels m0 .. m0 + 15
// of group g (conv2d_sg.wgsl, conv2d_sg4.wgsl): lane sl loads the 16 weights of tap k0 + sl once
// per SG taps; taps hands them out (subgroupShuffle for the last, partial group's live taps).
fn all_taps(g: u32, m0: u32, sl: u32) {
  let k_len = p.cin_g * p.kh * p.kw;
  let r = channel_rows(g * p.cout_g, m0, p.cout_g - 1u, k_len);
  for (var k0 = 0u; k0 < k_len; k0 += SG) {
    let kl = min(k0 + sl, k_len - 1u);
    let w0 = vec4f(wt[r[0].x + kl], wt[r[0].y + kl], wt[r[0].z + kl], wt[r[0].w + kl]);
    let w1 = vec4f(wt[r[1].x + kl], wt[r[1].y + kl], wt[r[1].z + kl], wt[r[1].w + kl]);
    let w2 = vec4f(wt[r[2].x + kl], wt[r[2].y + kl], wt[r[2].z + kl], wt[r[2].w + kl]);
    let w3 = vec4f(wt[r[3].x + kl], wt[r[3].y + kl], wt[r[3].z + kl], wt[r[3].w + kl]);
    if (k0 + SG > k_len) {
      for (var t = 0u; k0 + t < k_len; t++) {
        tap(subgroupShuffle(w0, t), subgroupShuffle(w1, t), subgroupShuffle(w2, t), subgroupShuffle(w3, t));
      }
      return;
    }
    taps(w0, w1, w2, w3);
  }
}
