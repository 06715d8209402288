// conv2d backward-weight as an implicit GEMM with split-K, per group g:
//   dW[g·Cout_g + m, c] = Σ_k  dy[n, g·Cout_g + m, oh, ow] · x[n, g·Cin_g + ci, oh·SH − PH + kh·DH, ow·SW − PW + kw·DW]
//   column c = (ci, kh, kw) over Cin_g·KH·KW; the reduction k = (n, oh, ow) runs over N·Ho·Wo.
// WGSL has no float atomics, so each workgroup owns its output: workgroup (x, y, z) writes the
// partial sum of rows [y·chunk, (y+1)·chunk) of the (n, oh) range for column tile x and
// z = g·mtiles + row tile, to part[y, co, c]; the launcher sums the splits with reduce.
// The dy loads are uniform across the workgroup (rows = output channels); each lane gathers x.

override WG: u32 = 64u;

const TP = 2u;  // weight columns per invocation

// #include "conv2d_params.inc.wgsl"
@group(0) @binding(1) var<storage, read> dy: array<f32>;    // (N, Cout, Ho, Wo)
@group(0) @binding(2) var<storage, read> x: array<f32>;     // (N, Cin, H, W)
@group(0) @binding(3) var<storage, read_write> part: array<f32>; // (splits, Cout, Cin_g·KH·KW)

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let g = wid.z / p.mtiles;
  let m0 = (wid.z % p.mtiles) * TM;
  let kk = p.kh * p.kw;
  let cols = p.cin_g * kk;
  let hw = p.h * p.w;
  let hw_o = p.ho * p.wo;

  // per column: channel offset inside an image, and the (kh·DH − PH, kw·DW − PW) shift
  var xofs: array<u32, TP>;
  var dh0: array<i32, TP>;
  var dw0: array<i32, TP>;
  for (var j = 0u; j < TP; j++) {
    let c = min(wid.x * WG * TP + lid + j * WG, cols - 1u);
    let ci = c / kk;
    let r = c % kk;
    xofs[j] = (g * p.cin_g + ci) * hw;
    dh0[j] = i32((r / p.kw) * p.dh) - p.ph;
    dw0[j] = i32((r % p.kw) * p.dw) - p.pw;
  }
  var dyrow: array<u32, TM>; // channel offset of each dy row inside an image (clamped in group)
  for (var m = 0u; m < TM; m++) { dyrow[m] = (g * p.cout_g + min(m0 + m, p.cout_g - 1u)) * hw_o; }

  var acc: array<array<f32, TP>, TM>;
  let r_end = min((wid.y + 1u) * p.chunk, p.n * p.ho);
  for (var nr = wid.y * p.chunk; nr < r_end; nr++) {
    let n = nr / p.ho;
    let oh = nr % p.ho;
    let dyb = n * p.cout * hw_o + oh * p.wo;
    let xb = n * p.cin * hw;
    var ih: array<i32, TP>;
    var rowok: array<bool, TP>;
    for (var j = 0u; j < TP; j++) {
      ih[j] = i32(oh * p.sh) + dh0[j];
      rowok[j] = u32(ih[j]) < p.h;
    }
    for (var ow = 0u; ow < p.wo; ow++) {
      var b: array<f32, TP>;
      for (var j = 0u; j < TP; j++) {
        let iw = i32(ow * p.sw) + dw0[j];
        let ok = rowok[j] && u32(iw) < p.w;
        let idx = xb + xofs[j] + u32(ih[j]) * p.w + u32(iw);
        b[j] = select(0.0, x[select(0u, idx, ok)], ok);
      }
      for (var m = 0u; m < TM; m++) {
        let a = dy[dyb + dyrow[m] + ow];
        for (var j = 0u; j < TP; j++) { acc[m][j] += a * b[j]; }
      }
    }
  }

  for (var j = 0u; j < TP; j++) {
    let c = wid.x * WG * TP + lid + j * WG;
    if (c >= cols) { continue; }
    for (var m = 0u; m < TM; m++) {
      if (m0 + m >= p.cout_g) { break; }
      part[(wid.y * p.cout + g * p.cout_g + m0 + m) * cols + c] = acc[m][j];
    }
  }
}
