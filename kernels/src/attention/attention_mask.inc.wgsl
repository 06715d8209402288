// The key padding mask and the masked-score sentinel, shared by the attention shaders. Reads the
// includer's Params tk, mask_kind (0 none, 1 boolean: nonzero keeps, 2 additive f32) and its
// binding mask (B, Tk) as u32.
const MASKED_V: f32 = -3.0e38; // a dropped score (exp of it is 0, and no inf arithmetic)
const MASKED: f32 = -1.0e38;   // scores at or below are treated as dropped

// the additive bias a_j of key j for batch b (MASKED_V when dropped or past Tk)
fn key_bias(b: u32, j: u32) -> f32 {
  if (j >= p.tk) { return MASKED_V; }
  if (p.mask_kind == 1u) { return select(0.0, MASKED_V, mask[b * p.tk + j] == 0u); }
  if (p.mask_kind == 2u) { return max(bitcast<f32>(mask[b * p.tk + j]), MASKED_V); }
  return 0.0;
}

// key_bias of 4 keys j
fn key_bias4(b: u32, j: vec4u) -> vec4f {
  let jc = b * p.tk + min(j, vec4u(p.tk - 1u));
  var a = vec4f(0.0);
  if (p.mask_kind != 0u) {
    let mv = vec4u(mask[jc.x], mask[jc.y], mask[jc.z], mask[jc.w]);
    if (p.mask_kind == 1u) { a = select(vec4f(0.0), vec4f(MASKED_V), mv == vec4u(0u)); }
    else { a = max(bitcast<vec4f>(mv), vec4f(MASKED_V)); }
  }
  return select(a, vec4f(MASKED_V), j >= vec4u(p.tk));
}
