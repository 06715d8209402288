// The @pretext/core backends a training case runs on: the harness's Gpu (one webgpu backend per
// Gpu, made the default) and, for the check, the CPU reference backend.
import { type Backend, cpuBackend, getBackend, type Optimizer, type Storage, setBackend, type Tensor, tidy, webgpuBackend } from '@pretext/core';
import type { Gpu } from '@pretext/gpu';
import { relErr } from '@pretext/gpu/testing';

const onGpu = new WeakMap<Gpu, ReturnType<typeof webgpuBackend>>();

/** Makes the webgpu backend over `gpu` the default (created once per Gpu). */
export function useGpuBackend(gpu: Gpu): ReturnType<typeof webgpuBackend> {
  let b = onGpu.get(gpu);
  if (!b) {
    b = webgpuBackend(gpu);
    onGpu.set(gpu, b);
  }
  setBackend(b);
  return b;
}

/** Runs fn with `backend` as the default, restoring the previous one afterwards. */
export async function withBackend<T>(backend: Backend<Storage>, fn: () => Promise<T>): Promise<T> {
  let prev: Backend<Storage> | null = null;
  try {
    prev = getBackend();
  } catch {
    /* none yet */
  }
  setBackend(backend);
  try {
    return await fn();
  } finally {
    if (prev) setBackend(prev);
  }
}

/** What one tiny step yields on a backend: the loss and every parameter's gradient, on the host. */
export interface StepProbe {
  loss: number;
  grads: Float32Array[];
}

/**
 * The case's check: the same tiny step (same seeds, same data) on the webgpu backend and on the
 * CPU reference backend; relative error of the loss and the worst parameter gradient
 * (max |Δ| / max |ref| per parameter, as llm.c reports it).
 */
export async function compareWithCpu(gpu: Gpu, probe: () => Promise<StepProbe>): Promise<number> {
  return compareBackends(useGpuBackend(gpu), probe);
}

/** compareWithCpu for any backend under test (the tests use it without an adapter). */
export async function compareBackends(ours: Backend<Storage>, probe: () => Promise<StepProbe>): Promise<number> {
  return probeError(await withBackend(ours, probe), await withBackend(cpuBackend(), probe));
}

/** max over the loss and each gradient of max |got − ref| / max |ref|; ∞ for a non-finite loss. */
export function probeError(ours: StepProbe, ref: StepProbe): number {
  if (!Number.isFinite(ours.loss)) return Number.POSITIVE_INFINITY;
  if (ours.grads.length !== ref.grads.length) throw new Error(`probe: ${ours.grads.length} gradients vs ${ref.grads.length} in the reference`);
  return ref.grads.reduce((e, want, i) => Math.max(e, relErr(ours.grads[i], want)), relErr([ours.loss], [ref.loss]));
}

/** Forward + backward without the update: the loss and every named parameter's gradient. */
export async function probeGrads(what: string, named: readonly (readonly [string, Tensor])[], optimizer: Optimizer, lossOf: () => Tensor): Promise<StepProbe> {
  const out = tidy(() => {
    const loss = lossOf();
    loss.backward();
    return [loss, ...named.map(([name, p]) => {
      if (!p.grad) throw new Error(`${what}: parameter '${name}' got no gradient`);
      return p.grad;
    })];
  });
  const host = await Promise.all(out.map((g) => g.data()));
  for (const g of out) g.dispose();
  optimizer.zeroGrad();
  return { loss: host[0][0], grads: host.slice(1).map((h) => Float32Array.from(h)) };
}
