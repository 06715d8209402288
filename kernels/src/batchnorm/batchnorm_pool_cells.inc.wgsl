// What batchnorm_pool.wgsl and batchnorm_pool2.wgsl share: they walk rows of pooling cells, row
// t = (plane, oh) flat over (N, C, Ho), and differ only in how a cell's window is read. Reads the
// includer's row_base(t) (where row t's windows start in x) and cell_max(base, ow, ab): (v*, x at
// the argmax) of cell ow's window, v = a·x + b.
// #include "batchnorm_fused.inc.wgsl"

// Row t of cells of invocation gid (live while t < N·C·Ho), its channel c, (a_c, b_c), row_base(t)
struct CellRow { live: bool, t: u32, c: u32, ab: vec2f, base: u32 }

fn cell_row(gid: vec3u, nwg: vec3u) -> CellRow {
  let t = flat(gid, nwg);
  let c = t / p.ho % p.c;
  return CellRow(t < p.n * p.c * p.ho, t, c, coef(c), row_base(t));
}

@compute @workgroup_size(64)
fn forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let r = cell_row(gid, nwg);
  if (!r.live) { return; }
  for (var ow = 0u; ow < p.wo; ow++) { y[r.t * p.wo + ow] = max(cell_max(r.base, ow, r.ab).x, 0.0); }
}

@compute @workgroup_size(WG)
fn backward_params(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let c = wid.x;
  let ab = coef(c);
  var s = vec2f(0.0);
  for (var r = lid; r < p.n * p.ho; r += WG) {
    let t = (r / p.ho * p.c + c) * p.ho + r % p.ho;
    let base = row_base(t);
    for (var ow = 0u; ow < p.wo; ow++) {
      let m = cell_max(base, ow, ab);
      let g = select(0.0, dy[t * p.wo + ow], m.x > 0.0);
      s += vec2f(g * xhat(c, m.y), g);
    }
  }
  write_params(c, lid, s);
}
