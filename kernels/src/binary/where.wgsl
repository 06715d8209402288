// out[i] = cond[ic] != 0 ? a[ia] : b[ib] over the broadcast of all three shapes; indexing as in
// binary.wgsl (RANK collapsed dims, strides 0 along stretched dims, RANK = 0: all equal shapes).

override RANK: u32 = 0u;

struct Params {
  n: u32,
  d0: u32, d1: u32, d2: u32, d3: u32, d4: u32, d5: u32,
  sc0: u32, sc1: u32, sc2: u32, sc3: u32, sc4: u32, sc5: u32,
  sa0: u32, sa1: u32, sa2: u32, sa3: u32, sa4: u32, sa5: u32,
  sb0: u32, sb1: u32, sb2: u32, sb3: u32, sb4: u32, sb5: u32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> cond: array<f32>;
@group(0) @binding(2) var<storage, read> a: array<f32>;
@group(0) @binding(3) var<storage, read> b: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n) { return; }
  if (RANK == 0u) {
    out[i] = select(b[i], a[i], cond[i] != 0.0);
    return;
  }
  let d = array<u32, 6>(p.d0, p.d1, p.d2, p.d3, p.d4, p.d5);
  let sc = array<u32, 6>(p.sc0, p.sc1, p.sc2, p.sc3, p.sc4, p.sc5);
  let sa = array<u32, 6>(p.sa0, p.sa1, p.sa2, p.sa3, p.sa4, p.sa5);
  let sb = array<u32, 6>(p.sb0, p.sb1, p.sb2, p.sb3, p.sb4, p.sb5);
  var rem = i;
  var ic = 0u;
  var ia = 0u;
  var ib = 0u;
  for (var k = 5u; k + RANK >= 6u; k--) {
    let c = rem % d[k];
    rem = rem / d[k];
    ic += c * sc[k];
    ia += c * sa[k];
    ib += c * sb[k];
    if (k == 0u) { break; }
  }
  out[i] = select(b[ib], a[ia], cond[ic] != 0.0);
}
