// @pretext/kernels: every WGSL kernel with its launcher and CPU reference.
export * from './unary/unary.js';
export * from './unary/unary.ref.js';
export type { BenchCase, BenchInstance, PeerInstance, Tf } from './bench-case.js';
export * from './rng/random.js';
export * from './rng/rng.ref.js';
export * from './ceiling/ceiling.js';
export * from './ceiling/ceiling.ref.js';
export type { BenchSetupOptions } from './bench-case.js';
export * from './binary/binary.js';
export * from './binary/binary.ref.js';
export * from './binary/broadcast.js';
export * from './copy/copy.js';
export * from './copy/copy.ref.js';
export * from './crossentropy/crossentropy.js';
export * from './crossentropy/crossentropy.ref.js';
export * from './transpose/transpose.js';
export * from './transpose/transpose.ref.js';
