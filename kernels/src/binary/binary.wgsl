// out[i] = op(a[ia], b[ib]) over the broadcast output shape (numpy rules), n = numel(out).
// The launcher collapses the iteration to RANK ≤ 6 dims (padded on the left with 1s) and gives
// each operand's element strides, 0 along a stretched dim; the output index i is decomposed
// from the last dim:  c_k = (i / Π_{j>k} d_j) mod d_k,  ia = Σ c_k·sa_k,  ib = Σ c_k·sb_k.
// RANK = 0 is the fast path for equal shapes: ia = ib = i.
// Each invocation computes VEC consecutive outputs (VEC = 8 or 4 when the last dim is a multiple
// of it and every operand steps by 0 or 1 along it), so the index arithmetic (integer division,
// slow on a CPU adapter) and the per-invocation overhead are paid once per VEC elements.
// Comparisons return 1.0 or 0.0. The 1-D job is laid over a 2-D grid of 256-wide workgroups.

override OP: u32 = 0u;
override RANK: u32 = 0u;
override VEC: u32 = 1u;

struct Params {
  n: u32,
  d0: u32, d1: u32, d2: u32, d3: u32, d4: u32, d5: u32,
  sa0: u32, sa1: u32, sa2: u32, sa3: u32, sa4: u32, sa5: u32,
  sb0: u32, sb1: u32, sb2: u32, sb3: u32, sb4: u32, sb5: u32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

// numpy-style power: negative base only with an integral exponent, 0^0 = 1
fn power(x: f32, y: f32) -> f32 {
  if (y == 0.0) { return 1.0; }
  let r = pow(abs(x), y);
  if (x >= 0.0) { return r; }
  if (y != floor(y)) { return sqrt(x); }   // NaN (x < 0), as numpy
  return select(r, -r, (y * 0.5) != floor(y * 0.5));
}

fn apply(x: f32, y: f32) -> f32 {
  switch OP {
    case 0u: { return x + y; }
    case 1u: { return x - y; }
    case 2u: { return x * y; }
    case 3u: { return x / y; }
    case 4u: { return max(x, y); }
    case 5u: { return min(x, y); }
    case 6u: { return power(x, y); }
    case 7u: { return select(0.0, 1.0, x > y); }
    case 8u: { return select(0.0, 1.0, x >= y); }
    case 9u: { return select(0.0, 1.0, x < y); }
    case 10u: { return select(0.0, 1.0, x <= y); }
    case 11u: { return select(0.0, 1.0, x == y); }
    case 12u: { return x * gelu_grad(y); }
    default: { return select(0.0, x, y > 0.0); }   // relu_grad: dy·[x > 0]
  }
}

// d/dv of gelu (tanh form) = v·σ(2u):  σ(2u) + v·σ(2u)(1 − σ(2u))·2c(1 + 3·0.044715·v²),
// u = c(v + 0.044715·v³), c = √(2/π)
fn gelu_grad(v: f32) -> f32 {
  let c = 0.7978845608028654;
  let s = 1.0 / (1.0 + exp(-2.0 * c * (v + 0.044715 * v * v * v)));
  return s + v * s * (1.0 - s) * 2.0 * c * (1.0 + 3.0 * 0.044715 * v * v);
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = (gid.x + gid.y * nwg.x * 256u) * VEC;
  if (i >= p.n) { return; }
  if (RANK == 0u) {
    for (var v = 0u; v < VEC; v++) { out[i + v] = apply(a[i + v], b[i + v]); }
    return;
  }
  let d = array<u32, 6>(p.d0, p.d1, p.d2, p.d3, p.d4, p.d5);
  let sa = array<u32, 6>(p.sa0, p.sa1, p.sa2, p.sa3, p.sa4, p.sa5);
  let sb = array<u32, 6>(p.sb0, p.sb1, p.sb2, p.sb3, p.sb4, p.sb5);
  var rem = i;
  var ia = 0u;
  var ib = 0u;
  for (var k = 5u; k + RANK >= 6u; k--) {
    let c = rem % d[k];
    rem = rem / d[k];
    ia += c * sa[k];
    ib += c * sb[k];
    if (k == 0u) { break; }
  }
  // VEC > 1: the VEC elements differ only in the last coordinate (step sa5, sb5 ∈ {0, 1})
  for (var v = 0u; v < VEC; v++) { out[i + v] = apply(a[ia + v * p.sa5], b[ib + v * p.sb5]); }
}

