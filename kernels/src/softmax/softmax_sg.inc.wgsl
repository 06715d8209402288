// The subgroup layout shared by softmax_sg.wgsl and softmax_backward_sg.wgsl: one subgroup of SG
// lanes owns a row, RPW rows per workgroup; the row is len4 = len / 4 vec4s walked in `steps`
// steps of 4·SG (lane l of step i reads vec4s 4·SG·i + SG·u + l, u = 0..3). Reads the includer's
// Params rows and len. RPW > 1 needs every subgroup to have exactly SG lanes (the launcher checks).
override SG: u32 = 8u;     // lanes per subgroup
override RPW: u32 = 8u;    // rows (subgroups of SG) per workgroup

// the invocation's row (clamped; live while in range), its vec4 count and step count
struct SgRow { live: bool, row: u32, len4: u32, steps: u32 }

fn sg_row(wid: vec3u, nwg: vec3u, tid: u32) -> SgRow {
  let r = (wid.x + wid.y * nwg.x) * RPW + tid / SG;
  let len4 = p.len / 4u;
  return SgRow(r < p.rows, min(r, p.rows - 1u), len4, (len4 + 4u * SG - 1u) / (4u * SG));
}
