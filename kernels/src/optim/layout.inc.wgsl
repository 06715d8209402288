// The parameter layout shared by the optimizer and segment-norm shaders (each #includes it).
// A flat buffer of n parameters is cut into segments (one per tensor, or per group of tensors)
// and every segment into blocks of ≤ BLOCK elements; one workgroup owns one block, so the
// segment lookup is one read per workgroup from `blocks` (no per-element search or id buffer)
// and all per-segment constants are uniform across the workgroup. Elements in no segment are
// never touched (frozen).

struct Seg {
  start: u32,       // first element in the flat buffer
  len: u32,         // elements
  wd_mul: f32,      // × the optimizer's weight decay (0 excludes biases, norms)
  lr_mul: f32,      // × the learning rate
  lars: u32,        // 1: LARS trust ratio applies (else plain SGD + momentum)
  first_block: u32, // this segment's blocks are [first_block, first_block + num_blocks)
  num_blocks: u32,
  _pad: u32,
}

@group(0) @binding(1) var<storage, read> segs: array<Seg>;
@group(0) @binding(2) var<storage, read> blocks: array<vec2u>; // (segment, first element)

const WG: u32 = 256u;
const PER_THREAD: u32 = 4u;
const BLOCK: u32 = 1024u; // WG · PER_THREAD

// the block this workgroup owns (the grid may be 2-D past 65535 workgroups)
fn block_index(wid: vec3u, nwg: vec3u) -> u32 { return wid.x + wid.y * nwg.x; }
