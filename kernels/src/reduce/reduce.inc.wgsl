// The float helpers of reductions that must not lose a NaN, shared by reduce, crossentropy and
// softmax (`// #include "../reduce/reduce.inc.wgsl"`). WGSL's max/min may return either operand
// of a NaN and the compiler may assume x == x, so a NaN is found by its bits and made at run time.

// NaN by its bits
fn is_nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }

fn any_nan4(v: vec4f) -> bool { return any((bitcast<vec4u>(v) & vec4u(0x7fffffffu)) > vec4u(0x7f800000u)); }

// a quiet NaN made at run time (a NaN constant expression is a shader-creation error)
fn nan_f32() -> f32 {
  var bits = 0x7fc00000u;
  return bitcast<f32>(bits);
}
