// The product backend: every op is a WGSL kernel from @pretext/kernels, recorded into the Gpu's
// batch (many passes per command encoder; a submit only when the host reads or writes).
import { type Gpu, type GpuArray, getGpu, type GpuOptions, numel } from '@pretext/gpu';
import * as K from '@pretext/kernels';
import type { Backend, DType, HostArray } from '../backend.js';
import { setBackend } from '../engine.js';
import type { Shape } from '../shape.js';
import { webgpuNnOps } from './webgpu-nn.js';

export type GpuStorage = GpuArray & { dtype: DType };

/** Storage bookkeeping: views share a buffer, which returns to the pool with its last user. */
export class GpuStore {
  private readonly refs = new Map<GPUBuffer, number>();
  constructor(readonly gpu: Gpu) {}
  own(a: GpuArray): GpuStorage {
    this.refs.set(a.buffer, (this.refs.get(a.buffer) ?? 0) + 1);
    return a as GpuStorage;
  }
  view(a: GpuArray, shape: Shape): GpuStorage {
    return this.own({ buffer: a.buffer, dtype: a.dtype, shape: [...shape], offset: a.offset });
  }
  release(a: GpuArray): void {
    const n = (this.refs.get(a.buffer) ?? 0) - 1;
    if (n > 0) this.refs.set(a.buffer, n);
    else {
      this.refs.delete(a.buffer);
      this.gpu.free(a.buffer);
    }
  }
  /** Live storages (buffers with at least one user): the debug counter. */
  get liveBuffers(): number {
    return this.refs.size;
  }
}

export function webgpuBackend(gpu: Gpu): Backend<GpuStorage> & { gpu: Gpu; store: GpuStore } {
  const st = new GpuStore(gpu);
  const own = (a: GpuArray) => st.own(a);
  const basic = {
    name: 'webgpu' as const,
    gpu,
    store: st,
    upload: (data: HostArray, shape: Shape) => own(gpu.upload(data, shape)),
    download: (s: GpuStorage) => gpu.download(s) as Promise<HostArray>,
    write: (s: GpuStorage, data: HostArray) => {
      if (data.length !== numel(s.shape)) throw new Error(`write: ${data.length} values for a storage of shape [${s.shape}]`);
      gpu.write(s.buffer, data, s.offset ?? 0);
    },
    view: (s: GpuStorage, shape: Shape) => st.view(s, shape),
    release: (s: GpuStorage) => st.release(s),
    sync: () => gpu.sync(),

    fill: (shape: Shape, value: number, dtype: DType) => own(K.fill(gpu, gpu.empty(shape.length ? shape : [], dtype), value)),
    randomUniform: (shape: Shape, lo: number, hi: number, seed: number, stream: number) => own(K.randomUniform(gpu, shape, lo, hi, { seed, stream })),
    randomNormal: (shape: Shape, mean: number, std: number, seed: number, stream: number) => own(K.randomNormal(gpu, shape, mean, std, { seed, stream })),

    unary: (op: K.UnaryOp, x: GpuStorage, alpha?: number) => own(K.unary(gpu, op, x, { alpha })),
    binary: (op: K.BinaryOp, a: GpuStorage, b: GpuStorage) => own(K.binary(gpu, op, a, b)),
    compare: (op: K.BinaryOp, a: GpuStorage, b: GpuStorage) => own(K.binary(gpu, op, a, b)),
    where: (c: GpuStorage, a: GpuStorage, b: GpuStorage) => own(K.where(gpu, c, a, b)),
    reduce: (op: 'sum' | 'mean' | 'max' | 'min', x: GpuStorage, axis: number, keepdims: boolean) => own(K.reduce(gpu, op, x, { axis, keepdims })),
    argmax: (x: GpuStorage, axis: number) => own(K.reduce(gpu, 'argmax', x, { axis, keepdims: false })),
    sumToShape: (x: GpuStorage, shape: Shape) => own(K.sumToShape(gpu, x, shape)),
    permute: (x: GpuStorage, dims: readonly number[]) => own(K.transpose(gpu, x, dims)),
    slice: (x: GpuStorage, starts: readonly number[], stops: readonly number[]) => own(K.slice(gpu, x, starts, stops)),
    concat: (xs: readonly GpuStorage[], axis: number) => own(K.concat(gpu, xs, axis)),
  };
  return { ...basic, ...webgpuNnOps(gpu, own) };
}

/** Makes the webgpu backend the default (creating the process-wide Gpu). */
export async function useWebGpu(opts?: GpuOptions): Promise<Backend<GpuStorage> & { gpu: Gpu; store: GpuStore }> {
  const b = webgpuBackend(await getGpu(opts));
  setBackend(b);
  return b;
}
