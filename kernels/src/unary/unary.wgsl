// y[i] = op(x[i]) for i < n. One invocation per element; the 1-D job is laid over a 2-D grid
// (x ≤ 65535 workgroups), flat index = gid.x + gid.y · (num_workgroups.x · 256).
// OP selects the function (see UNARY_OPS in unary.ts); it is an override, so each op is
// its own compiled pipeline with the switch folded away.

override OP: u32 = 0u;

struct Params { n: u32, alpha: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

const SQRT_2_OVER_PI: f32 = 0.7978845608028654;

fn apply(v: f32) -> f32 {
  switch OP {
    case 0u: { return -v; }
    case 1u: { return exp(v); }
    case 2u: { return log(v); }
    case 3u: { return sqrt(v); }
    case 4u: { return inverseSqrt(v); }
    case 5u: { return abs(v); }
    case 6u: { return max(v, 0.0); }
    // gelu, tanh approximation (as GPT-2): 0.5·v·(1 + tanh(u)), u = √(2/π)·(v + 0.044715·v³),
    // written as v·σ(2u) = v / (1 + e^(−2u)) so negative v keeps its relative precision
    case 7u: { return v / (1.0 + exp(-2.0 * SQRT_2_OVER_PI * (v + 0.044715 * v * v * v))); }
    // silu: v·σ(v)
    case 8u: { return v / (1.0 + exp(-v)); }
    case 9u: { return tanh(clamp(v, -15.0, 15.0)); }
    case 10u: { return 1.0 / (1.0 + exp(-v)); }
    case 11u: { return v * v; }
    case 12u: { return 1.0 / v; }
    case 13u: { return sin(v); }
    case 14u: { return cos(v); }
    case 15u: { return sign(v); }
    case 16u: { return select(p.alpha * v, v, v > 0.0); }      // leaky relu
    case 17u: { return p.alpha * v; }                          // scale
    case 18u: { return v + p.alpha; }                          // add scalar
    case 19u: { return pow(max(v, 0.0), p.alpha); }            // pow (x ≥ 0)
    case 20u: { return select(0.0, 1.0, v > 0.0); }            // step: relu'
    default: { return v; }                                     // identity / copy
  }
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n) { return; }
  y[i] = apply(x[i]);
}
