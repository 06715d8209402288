// What the cross-entropy shaders (hard and soft targets) share: the most negative finite f32 that
// starts a running max, and a quiet NaN for rows whose targets are out of range.
const NEG_INF: f32 = -3.0e38;

// a quiet NaN made at run time (a NaN constant expression is a shader-creation error)
fn nan_f32() -> f32 {
  var bits = 0x7fc00000u;
  return bitcast<f32>(bits);
}
