// The subgroup layout shared by softmax_sg.wgsl and softmax_backward_sg.wgsl: one subgroup of 8
// lanes owns a row, RPW rows per workgroup; the row is len4 = len / 4 vec4s walked in `steps`
// steps of 32 (lane l of step i reads vec4s 32i + 8u + l, u = 0..3). Reads the includer's Params
// rows and len.
override RPW: u32 = 8u;    // rows (subgroups of 8) per workgroup

// the invocation's row (clamped; live while in range), its vec4 count and step count
struct SgRow { live: bool, row: u32, len4: u32, steps: u32 }

fn sg_row(wid: vec3u, nwg: vec3u, tid: u32) -> SgRow {
  let r = (wid.x + wid.y * nwg.x) * RPW + tid / 8u;
  let len4 = p.len / 4u;
  return SgRow(r < p.rows, min(r, p.rows - 1u), len4, (len4 + 31u) / 32u);
}
