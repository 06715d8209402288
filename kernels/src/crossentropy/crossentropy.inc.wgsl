// What the cross-entropy shaders (hard and soft targets) share: the most negative finite f32 that
// starts a running max, and reduce's NaN helpers (a quiet NaN for rows whose targets are out of range).
// #include "../reduce/reduce.inc.wgsl"

const NEG_INF: f32 = -3.0e38;
