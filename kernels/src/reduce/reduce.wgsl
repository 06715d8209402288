// One pass of a reduction along the middle axis of x viewed as [outer, R, inner]:
//   y[o, s, c] = op over r in chunk s (rows s·chunk … min(R, (s+1)·chunk) − 1) of x[o, r, c]
// so a pass shrinks R to S = ⌈R / chunk⌉; the launcher repeats passes until S = 1.
// A workgroup of WX × WY = 64 invocations owns WX columns c of one (o, s): each invocation
// folds the rows ty, ty + WY, … of the chunk serially (chunk = WY·k, so k values; coalesced
// along c when inner > 1, along r when inner = 1), then the WY partials are combined by a tree
// in workgroup memory. Sums are thus pairwise-ish: k serial adds, then log2(WY) tree levels.
// OP: 0 sum (the final pass multiplies by `scale`: 1/R for mean), 1 max, 2 min.
// arg_main carries the index of the winner too (ties → the smallest index); FIRST = true
// means x is the original input (index = r), otherwise xi holds the previous pass's indices.
// Workgroups: flat g = wid.x + wid.y·nwg.x over (o, s, column block), column block fastest.

// #include "reduce.inc.wgsl"

override OP: u32 = 0u;
override WX: u32 = 1u;
override WY: u32 = 256u;
override FIRST: bool = true;

struct Params { outer: u32, R: u32, inner: u32, S: u32, chunk: u32, col_blocks: u32, scale: f32, identity: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<storage, read> xi: array<i32>;
@group(0) @binding(4) var<storage, read_write> yi: array<i32>;

var<workgroup> sv: array<f32, 64>;
var<workgroup> si: array<i32, 64>;

// max and min keep a NaN (WGSL's max/min may return either operand): a NaN input shows in the output
fn combine(a: f32, b: f32) -> f32 {
  let nan = is_nan(a) || is_nan(b);
  switch OP {
    case 1u: { return select(max(a, b), a + b, nan); }
    case 2u: { return select(min(a, b), a + b, nan); }
    default: { return a + b; }
  }
}

// does (v, i) beat (best, bi)? max or min by OP; ties go to the smaller index
fn wins(v: f32, i: i32, best: f32, bi: i32) -> bool {
  let better = select(v > best, v < best, OP == 2u);
  return better || (v == best && i < bi) || bi < 0;
}

struct Job { o: u32, s: u32, c: u32, r0: u32, r1: u32, ok: bool }

fn job(wid: vec3u, nwg: vec3u, lid: vec3u) -> Job {
  let g = wid.x + wid.y * nwg.x;
  let cb = g % p.col_blocks;
  let t = g / p.col_blocks;
  var j: Job;
  j.s = t % p.S;
  j.o = t / p.S;
  j.c = cb * WX + lid.x;
  j.r0 = j.s * p.chunk;
  j.r1 = min(p.R, j.r0 + p.chunk);
  j.ok = j.o < p.outer && j.c < p.inner;
  return j;
}

@compute @workgroup_size(WX, WY)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let j = job(wid, nwg, lid);
  var acc = p.identity;
  if (j.ok) {
    for (var r = j.r0 + lid.y; r < j.r1; r += WY) { acc = combine(acc, x[(j.o * p.R + r) * p.inner + j.c]); }
  }
  let me = lid.y * WX + lid.x;
  sv[me] = acc;
  for (var h = WY / 2u; h > 0u; h /= 2u) {
    workgroupBarrier();
    if (lid.y < h) { sv[me] = combine(sv[me], sv[me + h * WX]); }
  }
  if (lid.y == 0u && j.ok) { y[(j.o * p.S + j.s) * p.inner + j.c] = sv[me] * p.scale; }
}

@compute @workgroup_size(WX, WY)
fn arg_main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let j = job(wid, nwg, lid);
  var best = p.identity;
  var bi = -1;
  if (j.ok) {
    for (var r = j.r0 + lid.y; r < j.r1; r += WY) {
      let at = (j.o * p.R + r) * p.inner + j.c;
      var i = i32(r);
      if (!FIRST) { i = xi[at]; }   // folded away per pipeline: the first pass reads no indices
      let v = x[at];
      if (wins(v, i, best, bi)) { best = v; bi = i; }
    }
  }
  let me = lid.y * WX + lid.x;
  sv[me] = best;
  si[me] = bi;
  for (var h = WY / 2u; h > 0u; h /= 2u) {
    workgroupBarrier();
    if (lid.y < h && si[me + h * WX] >= 0 && wins(sv[me + h * WX], si[me + h * WX], sv[me], si[me])) {
      sv[me] = sv[me + h * WX];
      si[me] = si[me + h * WX];
    }
  }
  if (lid.y == 0u && j.ok) {
    y[(j.o * p.S + j.s) * p.inner + j.c] = sv[me];
    yi[(j.o * p.S + j.s) * p.inner + j.c] = si[me];
  }
}
