// The counter-based RNG's GPU side, for every kernel that draws random numbers (random init,
// dropout): Threefry-2x32 with 20 rounds (Salmon et al. 2011, as in JAX). Stateless:
// (key = (seed, stream), counter = (index, draw)) → two u32, so any element of any batch is
// reproducible from its seed, in any order, on any device. The host side, bit for bit, is
// @pretext/random (threefry.ts). A shader that draws has the line
// `// #include "../rng/rng.inc.wgsl"`.

fn rotl32(x: u32, r: u32) -> u32 { return (x << r) | (x >> (32u - r)); }

fn threefry2x32(key: vec2u, ctr: vec2u) -> vec2u {
  let ks = array<u32, 3>(key.x, key.y, 0x1BD11BDAu ^ key.x ^ key.y);
  let rot = array<u32, 8>(13u, 15u, 26u, 6u, 17u, 29u, 16u, 24u);
  var x0 = ctr.x + ks[0];
  var x1 = ctr.y + ks[1];
  for (var block = 0u; block < 5u; block++) {
    for (var r = 0u; r < 4u; r++) {
      x0 += x1;
      x1 = rotl32(x1, rot[(block % 2u) * 4u + r]);
      x1 ^= x0;
    }
    // key injection after every 4 rounds
    x0 += ks[(block + 1u) % 3u];
    x1 += ks[(block + 2u) % 3u] + block + 1u;
  }
  return vec2u(x0, x1);
}

// uniform in [0, 1) with 24 random bits
fn u32_to_unit(u: u32) -> f32 { return f32(u >> 8u) * (1.0 / 16777216.0); }

// two independent uniforms in [0, 1) for element `index`, draw `draw`
fn rand2(seed: u32, stream: u32, index: u32, draw: u32) -> vec2f {
  let b = threefry2x32(vec2u(seed, stream), vec2u(index, draw));
  return vec2f(u32_to_unit(b.x), u32_to_unit(b.y));
}

// a standard normal (Box–Muller on one threefry block)
fn randn1(seed: u32, stream: u32, index: u32, draw: u32) -> f32 {
  let u = rand2(seed, stream, index, draw);
  return sqrt(-2.0 * log(1.0 - u.x)) * cos(6.283185307179586 * u.y);
}
