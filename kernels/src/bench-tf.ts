// The bench contract bound to the peer the .bench.ts files compare against: tfjs-core (with
// tfjs-backend-webgpu registered), a dev dependency of this package. Imported only by *.bench.ts;
// excluded from the build, so no public type of @pretext/kernels names tfjs.
import type { BenchCase as Case } from './bench-case.js';

/** The tfjs namespace handed to peers. */
export type Tf = typeof import('@tensorflow/tfjs-core');
export type BenchCase = Case<Tf>;
