// @pretext/random: the random numbers Pretext draws on the host, dependency-free.
export { rng } from './mulberry32.js';
export { rand2, randn1, threefry2x32, u32ToUnit } from './threefry.js';
