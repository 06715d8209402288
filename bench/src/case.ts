// The bench contract of the kernels' *.bench.ts files (@pretext/kernels/bench-case, generic in
// the peer), bound to this package's peer: tfjs-core with tfjs-backend-webgpu (peer.ts).
import type { BenchCase as Case } from '@pretext/kernels/bench-case';

export type { BenchInstance, BenchSetupOptions, PeerInstance } from '@pretext/kernels/bench-case';
/** The tfjs namespace (tfjs-core with tfjs-backend-webgpu registered), passed to peers. */
export type Tf = typeof import('@tensorflow/tfjs-core');
export type BenchCase = Case<Tf>;
