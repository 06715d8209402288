// The peer: @tensorflow/tfjs-backend-webgpu 4.22 on the same Dawn adapter, in this process.
// Dawn's GPU object must outlive every use of WebGPU, so it is held here for the process.
import type { PeerInstance, Tf } from './case.js';

let navigatorGpu: GPU | undefined;
let loaded: Promise<Tf> | undefined;

/** tfjs-core with the webgpu backend active (created once). */
export function peerTf(): Promise<Tf> {
  loaded ??= (async () => {
    process.env.XDG_RUNTIME_DIR ??= '/tmp';
    const { create, globals } = (await import('webgpu')) as unknown as { create: (flags: string[]) => GPU; globals: object };
    Object.assign(globalThis, globals);
    // our Gpu disables timestamp quantization too, so both sides' GPU clocks are fine-grained
    navigatorGpu = create(['disable-dawn-features=timestamp_quantization']);
    (globalThis as { navigator?: unknown }).navigator = { gpu: navigatorGpu };
    const tf = await import('@tensorflow/tfjs-core');
    // tfjs-core alone has no gradients (tf.grad fails with "gradient function not found"): the
    // union package registers them into the same tfjs-core instance (a single copy: Node's CommonJS
    // entry points of both packages resolve one @tensorflow/tfjs-core; `pnpm why` shows one version)
    await import('@tensorflow/tfjs');
    await import('@tensorflow/tfjs-backend-webgpu');
    if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs: the webgpu backend did not initialise');
    await tf.ready();
    return tf;
  })();
  return loaded;
}

/** The parts of tfjs's WebGPUBackend used to wait for its queue without a readback. */
interface WebGpuBackendLike {
  device: GPUDevice;
  supportTimestampQuery?: boolean;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
}

function backendOf(tf: Tf): WebGpuBackendLike {
  const b = tf.backend() as unknown as WebGpuBackendLike;
  for (const m of ['ensureCommandEncoderReady', 'endComputePassEncoder', 'submitQueue'] as const) {
    if (typeof b[m] !== 'function') throw new Error(`tfjs backend '${tf.getBackend()}' has no ${m}(); cannot wait for its queue`);
  }
  return b;
}

/** Submits whatever tfjs has recorded and waits for the GPU (no readback). */
export async function peerSync(tf: Tf): Promise<void> {
  const b = backendOf(tf);
  b.ensureCommandEncoderReady();
  b.endComputePassEncoder();
  b.submitQueue();
  await b.device.queue.onSubmittedWorkDone();
}

/** One run inside tidy (intermediates freed), returning what the caller must dispose. */
export function peerRun(tf: Tf, inst: PeerInstance): ReturnType<Tf['tidy']> {
  return tf.tidy(() => inst.run() as ReturnType<Tf['tidy']>);
}

/** GPU bytes tfjs's buffer manager holds (grows with its peak use). */
export function peerGpuBytes(tf: Tf): number {
  const m = tf.memory() as { numBytesAllocatedInGPU?: number; numBytes: number };
  return m.numBytesAllocatedInGPU ?? m.numBytes;
}

export function peerHasTimestamps(tf: Tf): boolean {
  return backendOf(tf).supportTimestampQuery === true;
}
